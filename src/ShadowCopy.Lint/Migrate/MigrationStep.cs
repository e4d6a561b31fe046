using ShadowCopy.Lint.Migration;

namespace ShadowCopy.Lint.Migrate;

/// <summary>One statement with the method chosen for it, what runs, the lock it takes and the time it is expected to take.</summary>
public sealed record MigrationStep(MigrationStatement Statement, MigrationMethod Method, string Sql, string Lock, TimeSpan? Estimate, string Reason)
{
    public int Number => Statement.Number;

    public static string MethodName(MigrationMethod method) => method switch
    {
        MigrationMethod.Native => "native",
        MigrationMethod.ConcurrentIndex => "concurrent-index",
        MigrationMethod.OnlineIndex => "online-index",
        MigrationMethod.OnlineCopy => "online-copy",
        MigrationMethod.Backfill => "backfill",
        MigrationMethod.Skip => "skip",
        MigrationMethod.DoneBefore => "done-before",
        _ => "decided-when-run",
    };
}
