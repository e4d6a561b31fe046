namespace ShadowCopy.Lint.Migration;

/// <summary>
/// One statement of a migration file as <c>shadowcopy migrate</c> sees it: its place in the file,
/// its text without the terminator, and the parts a method needs (the table as written, the
/// clauses after ALTER TABLE name, an UPDATE's SET list and WHERE condition).
/// </summary>
public sealed record MigrationStatement
{
    /// <summary>1-based position in the migration (across files, in the order given).</summary>
    public required int Number { get; init; }

    public required string File { get; init; }

    public required int Line { get; init; }

    /// <summary>The statement as written, without the terminating ';' (or DELIMITER).</summary>
    public required string Text { get; init; }

    public required StatementKind Kind { get; init; }

    /// <summary>The table as written (<c>app.orders</c>, <c>"Orders"</c>), for ALTER TABLE, CREATE/DROP INDEX … ON and UPDATE; else null.</summary>
    public string? Table { get; init; }

    /// <summary>The schema (PostgreSQL) or database (MySQL) part of <see cref="Table"/>, unquoted; null when not qualified.</summary>
    public string? TableSchema { get; init; }

    /// <summary>The table's own name, unquoted (PostgreSQL folds unquoted names to lower case; MySQL keeps them).</summary>
    public string? TableName { get; init; }

    /// <summary>ALTER TABLE: the clauses after the table name.</summary>
    public string? AlterClauses { get; init; }

    /// <summary>UPDATE t SET … [WHERE …] with nothing else at the top level (no alias, FROM, JOIN, ORDER BY, LIMIT, RETURNING): the assignments.</summary>
    public string? UpdateSet { get; init; }

    /// <summary>The WHERE condition of such an UPDATE (null: every row).</summary>
    public string? UpdateWhere { get; init; }

    /// <summary>CONCURRENTLY appears (PostgreSQL index statements).</summary>
    public bool Concurrently { get; init; }

    /// <summary>SET of a lock or statement timeout (migrate bounds every lock wait itself).</summary>
    public bool SetsTimeout { get; init; }

    /// <summary>The first words, for tables and messages.</summary>
    public string Head => Text.Length <= 60 ? Text.ReplaceLineEndings(" ") : Text[..60].ReplaceLineEndings(" ") + "…";
}
