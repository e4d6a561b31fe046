using ShadowCopy.Core.Schema;

namespace ShadowCopy.Core.Revert;

/// <summary>Names of the reverse-capture objects of a table (ADR 0031), derived like every helper name (ADR 0005).</summary>
public sealed record RevertNames(string Old, string State, string Misfits, string Trigger, string Function, string Swap)
{
    /// <summary>MariaDB trigger names, one per event (a trigger there has one event).</summary>
    public IReadOnlyList<(string Event, string Name)> Triggers { get; init; } = [];

    private static readonly string[] Events = ["INSERT", "UPDATE", "DELETE"];

    public static RevertNames For(string table, int maxIdentifierBytes) => new(
        HelperObjectNames.Derive(table, "old", maxIdentifierBytes),
        HelperObjectNames.Derive(table, "rstate", maxIdentifierBytes),
        HelperObjectNames.Derive(table, "rmiss", maxIdentifierBytes),
        HelperObjectNames.Derive(table, "rtrg", maxIdentifierBytes),
        HelperObjectNames.Derive(table, "rfn", maxIdentifierBytes),
        HelperObjectNames.Derive(table, "rsw", maxIdentifierBytes))
    {
        Triggers = [.. Events.Select(e => (e, HelperObjectNames.Derive(table, "r" + e[..3].ToLowerInvariant(), maxIdentifierBytes)))],
    };
}
