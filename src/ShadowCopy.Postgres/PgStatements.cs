using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.Postgres;

/// <summary>
/// The vocabulary every phase's SQL shares: qualified names, the key and column lists, USING scopes
/// and key-range predicates. Each phase's statements extend it where they are used (Copy/PgCopySql,
/// Capture/Trigger/PgTriggerSql, Verify/PgVerifySql). Pure: no I/O. Names go
/// through <see cref="PgDialect.QuoteIdentifier"/>; key values travel as text parameters cast to
/// the key's type, which round-trips every type that can be a btree key.
/// </summary>
internal sealed class PgStatements
{
    private static readonly PgDialect D = PgDialect.Instance;

    public PgStatements(TableName source, HelperObjectNames names, PgMapping mapping, IReadOnlyList<IReadOnlyList<string>> shadowUniqueSourceColumns, PgRowHash rowHash = PgRowHash.Text)
    {
        Source = D.Qualified(source);
        Shadow = D.Qualified(source.Schema, names.Shadow);
        Log = D.Qualified(source.Schema, names.ChangeLog);
        Function = D.Qualified(source.Schema, names.Function);
        Trigger = D.QuoteIdentifier(names.Trigger);
        Mapping = mapping;
        RowAlias = D.QuoteIdentifier(source.Name);
        SecondaryUniques = shadowUniqueSourceColumns;
        RowHash = rowHash;
        var sequence = "_shadowcopy_seq";
        while (mapping.Key.Any(k => k.SourceName == sequence))
        {
            sequence += "_";
        }

        LogSequence = D.QuoteIdentifier(sequence);
    }

    /// <summary>The change log's ordering column, named so it cannot collide with a key column.</summary>
    public string LogSequence { get; }

    public string Source { get; }

    public string Shadow { get; }

    public string Log { get; }

    public string Function { get; }

    public string Trigger { get; }

    public PgMapping Mapping { get; }

    /// <summary>
    /// The name a USING expression sees the original's row under: the table's own name, so that
    /// <c>USING (t.c * 2)</c> resolves as it does in the server's ALTER.
    /// </summary>
    public string RowAlias { get; }

    /// <summary>Unique indexes of the shadow other than the key, as the original's column names.</summary>
    public IReadOnlyList<IReadOnlyList<string>> SecondaryUniques { get; }

    /// <summary>The row hash the checksums use; both sides of a comparison must use the same one.</summary>
    public PgRowHash RowHash { get; }

    public IEnumerable<string> KeySource => Mapping.Key.Select(k => D.QuoteIdentifier(k.SourceName));

    public IEnumerable<string> KeyShadow => Mapping.Key.Select(k => D.QuoteIdentifier(k.ShadowName));

    public string ShadowColumnList => string.Join(", ", Mapping.Copied.Select(c => D.QuoteIdentifier(c.ShadowName)));

    /// <summary>
    /// What the copy inserts into the shadow, from the original's row <paramref name="alias"/>: each
    /// column's value (the insert's assignment cast converts it, as the server's ALTER does), or the
    /// value of its USING expression (named after the column). A statement that uses it must add
    /// <see cref="UsingScope"/> after its FROM items.
    /// </summary>
    public string SourceColumnList(string alias) => string.Join(", ", Mapping.Copied.Select((c, i) => c.Using is null
        ? $"{alias}.{D.QuoteIdentifier(c.SourceName)}"
        : $"{UsingAlias}.v{i} AS {D.QuoteIdentifier(c.SourceName)}"));

    /// <summary>The shadow's value of each copied column typed as the shadow's column, for the checksums.</summary>
    public string SourceTypedColumnList(string alias) => string.Join(", ", Mapping.Copied.Select((c, i) => c.Using is not null
        ? $"{UsingAlias}.v{i}::{c.ShadowType}"
        : c.TypeChanged ? $"{alias}.{D.QuoteIdentifier(c.SourceName)}::{c.ShadowType}" : $"{alias}.{D.QuoteIdentifier(c.SourceName)}"));

    public const string UsingAlias = "\"_shadowcopy_using\"";

    /// <summary>
    /// The USING expressions over the original's row <paramref name="alias"/>, as a lateral join
    /// (empty without USING). The expressions see only a derived table named like the original with
    /// all its live columns, so they resolve exactly as in the server's ALTER and never against the
    /// statement's other tables; the planner flattens the subqueries into plain expressions.
    /// </summary>
    public string UsingScope(string alias)
    {
        if (!Mapping.HasUsing)
        {
            return string.Empty;
        }

        var values = string.Join(", ", Mapping.Copied.Select((c, i) => (c, i)).Where(p => p.c.Using is not null).Select(p => $"({p.c.Using}) AS v{p.i}"));
        var row = RowColumns.Select(D.QuoteIdentifier).ToList();
        return $" CROSS JOIN LATERAL (SELECT {values} FROM (SELECT {string.Join(", ", row.Select(c => $"{alias}.{c}"))}) AS {RowAlias}({string.Join(", ", row)})) AS {UsingAlias}";
    }

    /// <summary>The original's live columns, which a USING expression may reference.</summary>
    public IReadOnlyList<string> RowColumns => Mapping.SourceColumns.Count > 0
        ? Mapping.SourceColumns.Select(c => c.Name).ToList()
        : Mapping.Copied.Select(c => c.SourceName).ToList();

    /// <summary>Keys given as one text array per key column ($1…$n), unnested with their 1-based position i.</summary>
    public string KeyArrays(string alias) =>
        $"unnest({string.Join(", ", Mapping.Key.Select((_, i) => $"${i + 1}::text[]"))}) WITH ORDINALITY AS {alias}({string.Join(", ", Mapping.Key.Select((_, i) => $"k{i}"))}, i)";

    // ---- helpers ------------------------------------------------------------------------------

    public string JoinKey(string left, string right) =>
        RowExpr(KeySource.Select(k => $"{left}.{k}")) + " = " + RowExpr(KeySource.Select(k => $"{right}.{k}"));

    /// <summary>WHERE (k) &gt; ($1..) AND (k) &lt;= ($n..): lower bound exclusive, upper inclusive.</summary>
    /// <summary>
    /// The original's key range as the copy reads it, the table's columns qualified by <paramref name="alias"/>
    /// (lower bound $1…$k exclusive, then upper bound inclusive); <c>true</c> when both are open (backfill batches).
    /// </summary>
    public string KeyRange(string alias, bool hasLower, bool hasUpper) =>
        RangeConditions(alias, KeySource, hasLower, hasUpper) is { Count: > 0 } parts ? string.Join(" AND ", parts) : "true";

    public string RangePredicate(string alias, IEnumerable<string> keyColumns, bool hasLower, bool hasUpper) =>
        RangeConditions(alias, keyColumns, hasLower, hasUpper) is { Count: > 0 } parts ? " WHERE " + string.Join(" AND ", parts) : string.Empty;

    public List<string> RangeConditions(string alias, IEnumerable<string> keyColumns, bool hasLower, bool hasUpper)
    {
        var columns = RowExpr(keyColumns.Select(k => $"{alias}.{k}"));
        var types = Mapping.Key.Select(k => k.SourceType).ToList();
        var parts = new List<string>();
        var next = 1;
        if (hasLower)
        {
            parts.Add($"{columns} > {Params(next, types)}");
            next += types.Count;
        }

        if (hasUpper)
        {
            parts.Add($"{columns} <= {Params(next, types)}");
        }

        return parts;
    }

    public static string RowExpr(IEnumerable<string> items) => "(" + string.Join(", ", items) + ")";

    public static string Params(int first, IEnumerable<string> types) =>
        "(" + string.Join(", ", types.Select((t, i) => $"${first + i}::{t}")) + ")";
}
