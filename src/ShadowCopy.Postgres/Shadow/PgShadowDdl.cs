using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Model;

namespace ShadowCopy.Postgres.Shadow;

/// <summary>
/// DDL that creates the shadow like the original: columns, defaults, CHECK and NOT NULL
/// constraints, identity, generated columns, storage, statistics and comments through LIKE;
/// indexes and index-backed constraints one by one under temporary names (index names are
/// unique per schema), recorded so the cut-over can give them their original names back.
/// </summary>
internal static class PgShadowDdl
{
    private static readonly PgDialect D = PgDialect.Instance;

    public static IReadOnlyList<string> Build(PgTable source, HelperObjectNames names, Dictionary<string, string> indexTempNames, Dictionary<string, string> constraintTempNames)
    {
        var table = new TableName(source.Schema, source.Name);
        var shadow = D.Qualified(source.Schema, names.Shadow);
        var statements = new List<string>();
        var options = source.RelOptions.Count == 0
            ? string.Empty
            : " WITH (" + string.Join(", ", source.RelOptions.Select(o => o.Split('=', 2)).Select(p => $"{p[0]} = {D.QuoteLiteral(p.Length > 1 ? p[1] : "true")}")) + ")";
        var tablespace = source.Tablespace is null ? string.Empty : $" TABLESPACE {D.QuoteIdentifier(source.Tablespace)}";
        var unlogged = source.Persistence == "u" ? "UNLOGGED " : string.Empty;
        statements.Add(
            $"CREATE {unlogged}TABLE {shadow} (LIKE {D.Qualified(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
            + $"INCLUDING GENERATED INCLUDING STATISTICS INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION){options}{tablespace}");

        foreach (var index in source.Indexes.Where(i => i.IsValid))
        {
            var temp = HelperObjectNames.Derive(index.Name, "new", D.MaxIdentifierBytes);
            indexTempNames[index.Name] = temp;
            if (index.ConstraintType is not null && index.ConstraintDefinition is not null)
            {
                constraintTempNames[index.ConstraintName!] = temp;
                statements.Add($"ALTER TABLE {shadow} ADD CONSTRAINT {D.QuoteIdentifier(temp)} {index.ConstraintDefinition}");
            }
            else
            {
                statements.Add($"CREATE {(index.IsUnique ? "UNIQUE " : string.Empty)}INDEX {D.QuoteIdentifier(temp)} ON {shadow} {IndexTail(index)}");
            }
        }

        statements.Add($"COMMENT ON TABLE {shadow} IS {D.QuoteLiteral(PgObjects.Comment("shadow", table))}");
        return statements;
    }

    /// <summary>
    /// The part of pg_get_indexdef after "ON schema.table ": "USING method (…) [INCLUDE …] [WITH …] [WHERE …]".
    /// pg_get_indexdef always writes "CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING", with
    /// names quoted only where needed, so we locate " USING " after the ON clause by walking the
    /// quoted-identifier syntax rather than searching text a hostile name could contain.
    /// </summary>
    internal static string IndexTail(PgIndex index)
    {
        var def = index.Definition;
        var on = FindKeyword(def, " ON ", 0);
        var usingAt = FindKeyword(def, " USING ", on);
        if (on < 0 || usingAt < 0)
        {
            throw new FormatException($"Unexpected index definition for {index.Name}: {def}");
        }

        return def[(usingAt + 1)..];
    }

    private static int FindKeyword(string text, string keyword, int from)
    {
        var inQuotes = false;
        for (var i = Math.Max(0, from); i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                inQuotes = !inQuotes;
                continue;
            }

            if (!inQuotes && string.CompareOrdinal(text, i, keyword, 0, keyword.Length) == 0)
            {
                return i;
            }
        }

        return -1;
    }
}
