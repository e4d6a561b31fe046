namespace ShadowCopy.Lint.Rules;

internal sealed class ChangeColumnTypeRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "change-column-type", LintSeverity.Error, "Changing a column's type",
        "ACCESS EXCLUSIVE for the whole rewrite (PostgreSQL) / ALGORITHM=COPY, writes blocked (MySQL, MariaDB)", TableEffect.Rewrite,
        "Expand/contract: add a column of the new type, write both, backfill in batches, switch reads, drop the old column; or run the change online with shadowcopy alter. Check the real cost first with shadowcopy plan.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        foreach (var clause in ExistingTableClauses(statement, context, AlterAction.AlterColumnType, AlterAction.ModifyColumn, AlterAction.ChangeColumn))
        {
            var type = clause.Column?.TypeText ?? string.Empty;
            if (context.Target.IsPostgres)
            {
                // Metadata-only in PostgreSQL: varchar(n) widened or unbounded, varchar -> text, numeric
                // precision raised at the same scale (ALTER TABLE docs, "Notes": no rewrite when the old
                // type is binary coercible to the new one or an unconstrained domain over it).
                var maybeFree = !clause.Tokens.Has("USING") && (type is "text" or "varchar" or "character varying" || type.StartsWith("varchar(", StringComparison.Ordinal)
                    || type.StartsWith("character varying(", StringComparison.Ordinal) || type.StartsWith("numeric", StringComparison.Ordinal) || type.StartsWith("decimal", StringComparison.Ordinal));
                yield return maybeFree
                    ? new RuleHit(clause.First, $"TYPE {type} is metadata-only only if it widens a varchar/numeric or removes a length limit; any other change rewrites {statement.Table} under ACCESS EXCLUSIVE", LintSeverity.Warning)
                    : new RuleHit(clause.First, $"TYPE {type} rewrites {statement.Table} and its indexes while holding ACCESS EXCLUSIVE (reads and writes blocked)");
                continue;
            }

            var varchar = type.StartsWith("varchar(", StringComparison.Ordinal) || type.StartsWith("char(", StringComparison.Ordinal);
            if (varchar && context.Target.Dialect == LintDialect.MariaDb && context.Target.Version.AtLeast(10, 4, 3))
            {
                // MariaDB 10.4.3+ extends VARCHAR with ALGORITHM=INSTANT (not in ROW_FORMAT=REDUNDANT); confirmed by the plan integration tests on 10.11.
                yield return new RuleHit(clause.First, $"{type}: instant on MariaDB 10.4.3+ if it only widens a VARCHAR (and the table is not ROW_FORMAT=REDUNDANT); any other change copies the table with writes blocked", LintSeverity.Info);
                continue;
            }

            yield return varchar
                ? new RuleHit(clause.First, $"{type}: INPLACE only when it widens a VARCHAR within the same length-byte range (under 256 bytes, or 256 and more); otherwise ALGORITHM=COPY blocks writes", LintSeverity.Warning)
                : new RuleHit(clause.First, $"{clause.First.Text.ToUpperInvariant()} to {type}: a type change copies the table (ALGORITHM=COPY) and blocks writes for the whole copy");
        }
    }
}
