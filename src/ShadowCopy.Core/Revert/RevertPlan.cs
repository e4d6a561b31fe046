namespace ShadowCopy.Core.Revert;

/// <summary>What a revertible table looks like now: enough for the dry run and for the refusals.</summary>
/// <param name="OldTable">The kept original (<c>_t_old</c>), qualified.</param>
/// <param name="Since">When the swap made the table revertible.</param>
/// <param name="Columns">Pairs (old column, new column) the reverse capture writes back.</param>
/// <param name="Lost">Notes on what a revert cannot carry back (added columns, narrowed types, dropped columns).</param>
/// <param name="Misfits">Keys (JSON arrays) of rows written since the swap that did not fit the old shape, with the server's error; at most a sample.</param>
/// <param name="MisfitCount">How many such rows there are in all.</param>
/// <param name="Steps">The statements revert/finish would run, for the dry run.</param>
public sealed record RevertPlan(
    string OldTable,
    DateTimeOffset? Since,
    IReadOnlyList<(string Old, string New)> Columns,
    IReadOnlyList<string> Lost,
    IReadOnlyList<string> Misfits,
    long MisfitCount,
    IReadOnlyList<string> Steps)
{
    /// <summary>No column value of the new table is lost when going back (nothing added, nothing narrowed).</summary>
    public bool Lossless => Lost.Count == 0;

    /// <summary>
    /// An earlier revert swapped the table back and was stopped before it removed the reverse capture
    /// (MariaDB: its RENAME and the drops are separate statements). A rerun only finishes the drops.
    /// </summary>
    public bool SwappedBack { get; init; }

    /// <summary>Since when, how far behind, what is held, how many misfits: what the dry run and the journal show.</summary>
    public Revertibility Status => new(Since, MisfitCount);
}
