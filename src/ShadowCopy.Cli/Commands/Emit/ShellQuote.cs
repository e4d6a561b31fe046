using System.Text.RegularExpressions;

namespace ShadowCopy.Cli.Commands.Emit;

/// <summary>POSIX sh quoting: safe words stay bare, everything else goes in single quotes with ' written as '\''.</summary>
internal static partial class ShellQuote
{
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && SafeWord().IsMatch(value))
        {
            return value;
        }

        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A flag with its value as one shell word: --name=value with only the value quoted (flag names are always safe words).</summary>
    public static string Flag(string name, string value) => $"{name}={Quote(value)}";

    /// <summary>One raw argument as a shell word; --name=value keeps the flag bare and quotes the value.</summary>
    public static string Word(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        var eq = argument.IndexOf('=', StringComparison.Ordinal);
        return argument.StartsWith("--", StringComparison.Ordinal) && eq > 2 && SafeWord().IsMatch(argument[..eq])
            ? Flag(argument[..eq], argument[(eq + 1)..])
            : Quote(argument);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_@%+=:,./-]+$")]
    private static partial Regex SafeWord();
}
