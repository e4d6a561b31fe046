# Bash completion for shadowcopy, from the program itself: System.CommandLine's [suggest:POSITION]
# directive lists the commands, options and values that fit the command line at that position (the
# mechanism dotnet-suggest uses, without needing that tool). Install: see docs/user-guide.md#install.
#   source scripts/completion/shadowcopy.bash          # this shell
#   cp scripts/completion/shadowcopy.bash /etc/bash_completion.d/shadowcopy   # every shell
_shadowcopy_complete() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local line="${COMP_LINE:0:COMP_POINT}"
  local args="${line#"${COMP_WORDS[0]}"}"
  args="${args# }"
  local IFS=$'\n'
  # shellcheck disable=SC2207
  COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#args}]" "$args" 2>/dev/null)" -- "$cur"))
}
complete -o default -F _shadowcopy_complete shadowcopy
