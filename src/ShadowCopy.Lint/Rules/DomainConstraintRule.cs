namespace ShadowCopy.Lint.Rules;

internal sealed class DomainConstraintRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "domain-constraint", LintSeverity.Warning, "A CHECK on a domain",
        "locks and scans every table with a column of the domain", TableEffect.Scan,
        "Put the CHECK on the table columns (ADD CONSTRAINT … NOT VALID, then VALIDATE); for ALTER DOMAIN use ADD CONSTRAINT … NOT VALID and VALIDATE CONSTRAINT separately.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (statement.Kind == StatementKind.AlterDomain && statement.Tokens.Has("ADD") && !statement.Tokens.Has("NOT", "VALID"))
        {
            return [new RuleHit(statement.First, "ALTER DOMAIN … ADD CONSTRAINT checks every column of every table that uses the domain, under lock")];
        }

        return statement.Kind == StatementKind.CreateDomain && statement.Tokens.Has("CHECK")
            ? [new RuleHit(statement.First, "changing this domain's CHECK later locks and scans every table that uses it")]
            : [];
    }
}
