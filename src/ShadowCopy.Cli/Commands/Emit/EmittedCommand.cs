namespace ShadowCopy.Cli.Commands.Emit;

/// <summary>The peer tool's command line (already shell-quoted words) and what did not translate.</summary>
internal sealed record EmittedCommand(IReadOnlyList<string> Words, IReadOnlyList<string> NoEquivalent, IReadOnlyList<string> Notes)
{
    public string CommandLine => string.Join(" \\\n  ", Words);
}
