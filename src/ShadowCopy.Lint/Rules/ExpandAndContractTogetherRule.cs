namespace ShadowCopy.Lint.Rules;

internal sealed class ExpandAndContractTogetherRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "expand-and-contract-together", LintSeverity.Error, "A DROP in the same migration as an ADD",
        "none by itself; the code deployed in between is what breaks", TableEffect.None,
        "Split the file: the expand migration (ADD COLUMN, CREATE TABLE) ships first; the contract migration (DROP) ships after the code that no longer uses the dropped column or table is deployed everywhere (docs/expand-contract.md).",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        var created = MigrationShape.CreatedTables(context.Statements);
        var contractions = MigrationShape.Contractions(statement, created).ToList();
        if (contractions.Count == 0)
        {
            return [];
        }

        var expansion = context.Statements.SelectMany(s => MigrationShape.Expansions(s).Select(at => (Statement: s, At: at))).FirstOrDefault();
        if (expansion.Statement is null)
        {
            return [];
        }

        var added = expansion.Statement.Kind == StatementKind.CreateTable ? $"CREATE TABLE {expansion.Statement.Table}" : $"ADD COLUMN on {expansion.Statement.Table}";
        return contractions.Select(c => new RuleHit(
            c.At,
            $"this migration drops {c.What} and also adds ({added}): expand and contract must be separate migrations, or code still using the old shape breaks between them"));
    }
}
