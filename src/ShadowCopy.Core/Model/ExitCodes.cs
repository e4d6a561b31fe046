namespace ShadowCopy.Core.Model;

/// <summary>
/// Process exit codes. Documented in docs/user-guide.md#exit-codes; stable across versions,
/// so scripts can branch on them. Refusals (10–29) are raised before anything is changed.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int InternalError = 1;
    public const int UsageError = 2;
    public const int ConnectionFailed = 3;
    public const int VerificationFailed = 4;
    public const int CutOverFailed = 5;
    public const int Cancelled = 6;
    public const int AlterRejected = 7;

    /// <summary>A replication slot retained more WAL than allowed; the run stopped and cleaned up.</summary>
    public const int SlotWalLimit = 8;

    /// <summary>Aborted on request (ctl panic, --panic-flag-file), by --critical-load or a failing on-startup hook; cleaned up.</summary>
    public const int Aborted = 9;

    public const int TableMissing = 10;
    public const int NoUsableKey = 11;
    public const int KeyNotMappable = 12;
    public const int PartitionedTable = 13;
    public const int Leftovers = 14;
    public const int MissingPrivileges = 15;
    public const int ForeignKeys = 16;
    public const int DependentViews = 17;
    public const int UnsupportedTable = 18;
    public const int NameConflict = 19;

    /// <summary>--resume found no usable checkpoint: none, the ALTER or the table changed, or the capture position is gone.</summary>
    public const int ResumeNotPossible = 20;

    /// <summary>backfill: the server rejected --set, --where or --verify in a rolled-back sample batch; nothing was changed.</summary>
    public const int BackfillRejected = 21;

    /// <summary>revert/finish: the table is not revertible (no reverse capture), or rows written since the swap do not fit the old shape; nothing was changed.</summary>
    public const int RevertNotPossible = 22;

    /// <summary>migrate: lint errors or statements migrate will not run (one sentence each); nothing was changed.</summary>
    public const int MigrationRefused = 23;

    public const int CaptureUnavailable = 30;

    /// <summary>shadowcopy lint found at least one finding at or above --fail-on.</summary>
    public const int LintFindings = 40;

    /// <summary>migrate: stopped before the statement named by --pause-before; the ones before it are done; continue with --execute --resume.</summary>
    public const int MigrationPaused = 60;

    /// <summary>migrate: a statement failed; the ones before it are done, it and the rest are not; continue with --execute --resume.</summary>
    public const int MigrationStepFailed = 61;

    /// <summary>alter --via: the peer tool (pt-online-schema-change, gh-ost) is not installed; nothing was changed.</summary>
    public const int ExternalToolMissing = 50;

    /// <summary>alter --via: the peer tool exited with an error; nothing swapped, its leftovers removed.</summary>
    public const int ExternalToolFailed = 51;
}
