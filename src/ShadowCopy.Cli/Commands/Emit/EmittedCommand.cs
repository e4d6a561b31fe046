namespace ShadowCopy.Cli.Commands.Emit;

/// <summary>
/// The peer tool's command as raw arguments (run without a shell by alter --via) and what did not
/// translate; <see cref="Words"/> and <see cref="CommandLine"/> are the shell-quoted form printed by emit.
/// </summary>
internal sealed record EmittedCommand(IReadOnlyList<string> Arguments, IReadOnlyList<string> NoEquivalent, IReadOnlyList<string> Notes)
{
    public IReadOnlyList<string> Words => Arguments.Select(ShellQuote.Word).ToList();

    public string CommandLine => string.Join(" \\\n  ", Words);
}
