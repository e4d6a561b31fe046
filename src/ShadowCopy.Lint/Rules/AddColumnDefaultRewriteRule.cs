namespace ShadowCopy.Lint.Rules;

internal sealed class AddColumnDefaultRewriteRule : LintRule
{
    // pg_proc.provolatile = 'v' for these; a volatile default must be evaluated per row, which
    // forces a rewrite even on PostgreSQL 11+ (release notes 11, "ALTER TABLE … ADD COLUMN … DEFAULT").
    private static readonly string[] Volatile =
    [
        "random", "clock_timestamp", "timeofday", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
        "nextval", "txid_current", "pg_current_xact_id", "setseed", "uuidv7", "uuidv4",
    ];

    public override LintRuleInfo Info { get; } = Rule(
        "add-column-default-rewrite", LintSeverity.Error, "ADD COLUMN with a default that rewrites the table",
        "ACCESS EXCLUSIVE for the whole rewrite", TableEffect.Rewrite,
        "Add the column without a default (or with a constant one on PostgreSQL 11+), then SET DEFAULT for new rows, then backfill existing rows in batches.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        foreach (var clause in ExistingTableClauses(statement, context, AlterAction.AddColumn))
        {
            if (clause.Column is not { HasDefault: true, DefaultText: { } expression } column)
            {
                continue;
            }

            if (!context.Target.Version.AtLeast(11))
            {
                yield return new RuleHit(clause.First, $"before PostgreSQL 11 any DEFAULT on ADD COLUMN rewrites {statement.Table} under ACCESS EXCLUSIVE");
            }
            else if (IsVolatile(expression))
            {
                yield return new RuleHit(clause.First, $"DEFAULT {expression} is volatile: PostgreSQL evaluates it per row and rewrites {statement.Table} under ACCESS EXCLUSIVE");
            }
        }
    }

    internal static bool IsVolatile(string expression)
    {
        var lower = expression.ToLowerInvariant();
        return Volatile.Any(f => ContainsCall(lower, f));
    }

    private static bool ContainsCall(string expression, string function)
    {
        var at = expression.IndexOf(function, StringComparison.Ordinal);
        while (at >= 0)
        {
            var before = at == 0 || !(char.IsLetterOrDigit(expression[at - 1]) || expression[at - 1] == '_');
            var rest = expression.AsSpan(at + function.Length).TrimStart();
            if (before && rest.StartsWith("("))
            {
                return true;
            }

            at = expression.IndexOf(function, at + 1, StringComparison.Ordinal);
        }

        return false;
    }
}
