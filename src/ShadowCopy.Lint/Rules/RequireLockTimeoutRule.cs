namespace ShadowCopy.Lint.Rules;

internal sealed class RequireLockTimeoutRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "require-lock-timeout", LintSeverity.Warning, "Locking DDL without a lock timeout",
        "the statement's lock, queued behind every running transaction", TableEffect.None,
        "Start the file with SET lock_timeout = '2s' (PostgreSQL) or SET SESSION lock_wait_timeout = 5 (MySQL, MariaDB) and retry on timeout; a DDL waiting for its lock blocks every query queued behind it.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (context.LockTimeoutSet || context.LockTimeoutReported || context.IsNew(statement) || !Locks(statement))
        {
            return [];
        }

        context.LockTimeoutReported = true;
        var setting = context.Target.IsPostgres ? "lock_timeout" : "lock_wait_timeout";
        return [new RuleHit(statement.First, $"no {setting} is set before this statement: while it waits for its lock, every later query on the table waits behind it")];
    }

    private static bool Locks(LintStatement statement) => statement.Kind switch
    {
        StatementKind.AlterTable or StatementKind.DropTable or StatementKind.RenameTable or StatementKind.Truncate => true,
        StatementKind.CreateIndex or StatementKind.DropIndex => !statement.Concurrently,
        _ => false,
    };
}
