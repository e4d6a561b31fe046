using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint.Migration;

/// <summary>Splits migration files into <see cref="MigrationStatement"/>s with the lint parser, so lint and migrate see the same statements.</summary>
public static class MigrationFile
{
    private static readonly string[] NotBatchable = ["FROM", "JOIN", "ORDER", "LIMIT", "RETURNING", "USING", "AS"];

    public static IReadOnlyList<MigrationStatement> Split(IReadOnlyList<(string File, string Sql)> files, LintDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(files);
        var all = new List<MigrationStatement>();
        foreach (var (file, sql) in files)
        {
            var lines = new LineMap(sql);
            foreach (var statement in LintParser.Parse(sql, dialect))
            {
                all.Add(Describe(statement, all.Count + 1, file, sql, lines.Locate(statement.Offset).Line, dialect));
            }
        }

        return all;
    }

    private static MigrationStatement Describe(LintStatement statement, int number, string file, string sql, int line, LintDialect dialect)
    {
        var t = statement.Tokens;
        var end = t[t.Count - 1].Offset + t[t.Count - 1].Text.Length;
        string Slice(int from, int to) => sql[t[from].Offset..(to >= t.Count ? end : t[to].Offset)].Trim();
        MigrationStatement Named(MigrationStatement s, int from, int to)
        {
            var parts = Enumerable.Range(from, to - from).Where(i => t[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier).Select(i => Identifier(t[i], dialect)).ToList();
            return s with { Table = Slice(from, to), TableSchema = parts.Count > 1 ? parts[^2] : null, TableName = parts[^1] };
        }

        var result = new MigrationStatement
        {
            Number = number,
            File = file,
            Line = line,
            Text = sql[statement.Offset..end],
            Kind = statement.Kind,
            Concurrently = statement.Concurrently,
            SetsTimeout = statement.Kind == StatementKind.Set && (t.Has("lock_timeout") || t.Has("lock_wait_timeout") || t.Has("innodb_lock_wait_timeout") || t.Has("statement_timeout")),
        };
        switch (statement.Kind)
        {
            case StatementKind.AlterTable:
                var i = 1;
                while (t.Word(i, "ONLINE") || t.Word(i, "OFFLINE") || t.Word(i, "IGNORE"))
                {
                    i++;
                }

                i = t.Words(i + 1, "IF", "EXISTS") ? i + 3 : i + 1;
                i = t.Word(i, "ONLY") ? i + 1 : i;
                var name = NameEnd(t, i);
                return name > i && name < t.Count ? Named(result, i, name) with { AlterClauses = Slice(name, t.Count) } : result;
            case StatementKind.CreateIndex or StatementKind.DropIndex:
                var on = t.Find(0, "ON");
                var start = t.Word(on + 1, "ONLY") ? on + 2 : on + 1;
                return on > 0 && NameEnd(t, start) > start ? Named(result, start, NameEnd(t, start)) : result;
            case StatementKind.Update:
                var target = t.Word(1, "ONLY") ? 2 : 1;
                var after = NameEnd(t, target);
                if (after == target || !t.Word(after, "SET"))
                {
                    return after > target ? Named(result, target, after) : result;
                }

                var where = TopLevel(t, after + 1, "WHERE");
                var blocked = NotBatchable.Any(w => TopLevel(t, after + 1, w) >= 0);
                return blocked
                    ? Named(result, target, after)
                    : Named(result, target, after) with { UpdateSet = Slice(after + 1, where < 0 ? t.Count : where), UpdateWhere = where < 0 ? null : Slice(where + 1, t.Count) };
            default:
                return result;
        }
    }

    /// <summary>An identifier as the engine resolves it: quotes removed; unquoted names fold to lower case on PostgreSQL only (MySQL table names are case-sensitive on Linux).</summary>
    private static string Identifier(SqlToken token, LintDialect dialect) =>
        token.Kind == SqlTokenKind.Word && dialect != LintDialect.Postgres ? token.Text : Tokens.Identifier(token, dialect);

    /// <summary>The token after a dotted name starting at <paramref name="i"/> (= i when there is none).</summary>
    private static int NameEnd(Tokens t, int i)
    {
        while (i < t.Count && t[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            i++;
            if (!t.Punct(i, "."))
            {
                break;
            }

            i++;
        }

        return i;
    }

    /// <summary>The index of <paramref name="word"/> outside parentheses from <paramref name="from"/>, or -1.</summary>
    private static int TopLevel(Tokens t, int from, string word)
    {
        var depth = 0;
        for (var i = from; i < t.Count; i++)
        {
            if (t.Punct(i, "("))
            {
                depth++;
            }
            else if (t.Punct(i, ")"))
            {
                depth--;
            }
            else if (depth == 0 && t.Word(i, word))
            {
                return i;
            }
        }

        return -1;
    }
}
