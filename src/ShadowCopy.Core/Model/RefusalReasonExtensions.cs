namespace ShadowCopy.Core.Model;

public static class RefusalReasonExtensions
{
    public static int ExitCode(this RefusalReason reason) => reason switch
    {
        RefusalReason.TableMissing => ExitCodes.TableMissing,
        RefusalReason.NoUsableKey => ExitCodes.NoUsableKey,
        RefusalReason.KeyNotMappable => ExitCodes.KeyNotMappable,
        RefusalReason.PartitionedTable => ExitCodes.PartitionedTable,
        RefusalReason.Leftovers => ExitCodes.Leftovers,
        RefusalReason.MissingPrivileges => ExitCodes.MissingPrivileges,
        RefusalReason.ForeignKeys => ExitCodes.ForeignKeys,
        RefusalReason.DependentViews => ExitCodes.DependentViews,
        RefusalReason.UnsupportedTable => ExitCodes.UnsupportedTable,
        RefusalReason.NameConflict => ExitCodes.NameConflict,
        RefusalReason.AlterRejected => ExitCodes.AlterRejected,
        RefusalReason.CaptureUnavailable => ExitCodes.CaptureUnavailable,
        RefusalReason.ResumeNotPossible => ExitCodes.ResumeNotPossible,
        RefusalReason.BackfillRejected => ExitCodes.BackfillRejected,
        _ => ExitCodes.InternalError,
    };

    /// <summary>Stable kebab-case id printed with the message and in JSON output.</summary>
    public static string Id(this RefusalReason reason) => reason switch
    {
        RefusalReason.TableMissing => "table-missing",
        RefusalReason.NoUsableKey => "no-usable-key",
        RefusalReason.KeyNotMappable => "key-not-mappable",
        RefusalReason.PartitionedTable => "partitioned-table",
        RefusalReason.Leftovers => "leftovers",
        RefusalReason.MissingPrivileges => "missing-privileges",
        RefusalReason.ForeignKeys => "foreign-keys",
        RefusalReason.DependentViews => "dependent-views",
        RefusalReason.UnsupportedTable => "unsupported-table",
        RefusalReason.NameConflict => "name-conflict",
        RefusalReason.AlterRejected => "alter-rejected",
        RefusalReason.CaptureUnavailable => "capture-unavailable",
        RefusalReason.ResumeNotPossible => "resume-not-possible",
        RefusalReason.BackfillRejected => "backfill-rejected",
        _ => "unknown",
    };
}
