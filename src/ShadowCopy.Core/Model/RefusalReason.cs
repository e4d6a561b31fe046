namespace ShadowCopy.Core.Model;

/// <summary>Why preflight refused; each maps to one exit code (see <see cref="ExitCodes"/>).</summary>
public enum RefusalReason
{
    TableMissing,
    NoUsableKey,
    KeyNotMappable,
    PartitionedTable,
    Leftovers,
    MissingPrivileges,
    ForeignKeys,
    DependentViews,
    UnsupportedTable,
    NameConflict,
    AlterRejected,

    /// <summary>The chosen change capture cannot run (wal_level, free slots, replica identity…).</summary>
    CaptureUnavailable,

    /// <summary>--resume cannot continue: no checkpoint, the ALTER or schema changed, capture position gone.</summary>
    ResumeNotPossible,

    /// <summary>backfill: the server rejected --set, --where or --verify (unknown column, syntax, type).</summary>
    BackfillRejected,
}
