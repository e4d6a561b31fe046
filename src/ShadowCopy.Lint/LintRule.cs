using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>Shared plumbing for rules: the rule's description and a filter for ALTER TABLE clauses on tables that already exist.</summary>
internal abstract class LintRule : ILintRule
{
    protected static readonly LintDialect[] AllDialects = [LintDialect.Postgres, LintDialect.MySql, LintDialect.MariaDb];
    protected static readonly LintDialect[] PostgresOnly = [LintDialect.Postgres];
    protected static readonly LintDialect[] MySqlFamily = [LintDialect.MySql, LintDialect.MariaDb];

    public abstract LintRuleInfo Info { get; }

    public abstract IEnumerable<RuleHit> Check(LintStatement statement, LintContext context);

    protected static IEnumerable<AlterClause> ExistingTableClauses(LintStatement statement, LintContext context, params AlterAction[] actions) =>
        statement.Kind == StatementKind.AlterTable && !context.IsNew(statement)
            ? statement.Clauses.Where(c => actions.Contains(c.Action))
            : [];

    /// <summary>Every column the statement defines or retypes, new tables included (type-choice rules apply everywhere).</summary>
    protected static IEnumerable<(SqlToken At, string Name, ColumnDefinition Column)> DefinedColumns(LintStatement statement)
    {
        if (statement.Kind == StatementKind.CreateTable)
        {
            return statement.Columns.Select(c => (c.NameToken, c.Name, c));
        }

        return statement.Clauses
            .Where(c => c.Column is not null && c.Action is AlterAction.AddColumn or AlterAction.AlterColumnType or AlterAction.ModifyColumn or AlterAction.ChangeColumn)
            .Select(c => (c.First, c.Action == AlterAction.AlterColumnType ? c.ColumnName ?? c.Column!.Name : c.Column!.Name, c.Column!));
    }

    protected static LintRuleInfo Rule(string id, LintSeverity severity, string title, string lockTaken, TableEffect effect, string alternative, LintDialect[] dialects) =>
        new(id, severity, title, lockTaken, effect, alternative, dialects);
}
