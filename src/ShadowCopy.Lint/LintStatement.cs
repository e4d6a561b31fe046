using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>One statement of a migration file, classified; built by <see cref="LintParser"/>.</summary>
internal sealed record LintStatement(
    int Index,
    StatementKind Kind,
    Tokens Tokens,
    string Text,
    int Offset,
    string? Table,
    IReadOnlyList<AlterClause> Clauses,
    IReadOnlyList<ColumnDefinition> Columns,
    IReadOnlyList<SqlToken> Comments)
{
    public SqlToken First => Tokens[0];

    public bool Concurrently => Tokens.Has("CONCURRENTLY");
}
