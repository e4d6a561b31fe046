namespace ShadowCopy.Lint.Rules;

internal sealed class SetNotNullRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "set-not-null", LintSeverity.Warning, "SET NOT NULL on an existing column",
        "ACCESS EXCLUSIVE while every row is scanned", TableEffect.Scan,
        "ALTER TABLE t ADD CONSTRAINT t_c_not_null CHECK (c IS NOT NULL) NOT VALID; then ALTER TABLE t VALIDATE CONSTRAINT t_c_not_null; then (PostgreSQL 12+, which uses the valid CHECK to skip the scan) ALTER TABLE t ALTER COLUMN c SET NOT NULL; ALTER TABLE t DROP CONSTRAINT t_c_not_null. MySQL/MariaDB: backfill the NULLs in batches first, then MODIFY … NOT NULL with ALGORITHM=INPLACE, LOCK=NONE.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) => context.Target.IsPostgres
        ? Postgres(statement, context)
        : ExistingTableClauses(statement, context, AlterAction.ModifyColumn, AlterAction.ChangeColumn)
            .Where(c => c.Column is { NotNull: true, HasDefault: false, SelfFilling: false, PrimaryKey: false })
            .Select(c => new RuleHit(c.First, $"if {c.Column!.Name} is nullable today, NOT NULL rebuilds the table and fails on (or, without strict mode, zero-fills) existing NULLs", LintSeverity.Info));

    private static IEnumerable<RuleHit> Postgres(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.SetNotNull).Select(c => new RuleHit(
            c.First,
            context.Target.Version.AtLeast(12)
                ? $"SET NOT NULL on {c.ColumnName} scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (… IS NOT NULL) already proves it"
                : $"SET NOT NULL on {c.ColumnName} scans the whole table under ACCESS EXCLUSIVE; before PostgreSQL 12 no CHECK constraint avoids that, so keep a validated CHECK instead"));
}
