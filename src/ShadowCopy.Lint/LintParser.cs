using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>
/// Splits a migration file into statements and classifies each one. Recognises only what the
/// rules need (DDL heads, ALTER TABLE clauses, column definitions); anything else becomes
/// <see cref="StatementKind.Other"/>. Never throws on any input.
/// </summary>
internal static class LintParser
{
    public static IReadOnlyList<SqlToken> Tokenize(string sql, LintDialect dialect) =>
        dialect == LintDialect.Postgres ? PgLexer.Tokenize(sql) : MySqlLexer.Tokenize(sql);

    public static List<LintStatement> Parse(string sql, LintDialect dialect)
    {
        var all = Tokenize(sql, dialect);
        var statements = new List<LintStatement>();
        var significant = new List<SqlToken>();
        var comments = new List<SqlToken>();
        var delimiter = ";";
        var skipUntil = -1;
        foreach (var token in all)
        {
            if (token.Offset < skipUntil)
            {
                continue;
            }

            if (token.Kind == SqlTokenKind.Comment)
            {
                comments.Add(token);
                continue;
            }

            if (token.Kind == SqlTokenKind.Whitespace)
            {
                continue;
            }

            // mysql client scripts: "DELIMITER //" changes the statement terminator until the next
            // DELIMITER line, so stored program bodies keep their inner ';'. It is a client
            // command, not SQL: the line itself is not a statement.
            if (dialect != LintDialect.Postgres && significant.Count == 0 && token.IsWord("DELIMITER"))
            {
                var lineEnd = sql.IndexOf('\n', token.Offset);
                lineEnd = lineEnd < 0 ? sql.Length : lineEnd;
                var value = sql[(token.Offset + token.Text.Length)..lineEnd].Trim();
                delimiter = value.Length == 0 ? ";" : value.Split(' ', '\t')[0];
                skipUntil = lineEnd;
                continue;
            }

            if (delimiter == ";" ? token.Kind == SqlTokenKind.Punctuation && token.Text == ";" : IsDelimiterAt(sql, token, delimiter))
            {
                Flush(sql, dialect, statements, significant, comments, token.Offset + delimiter.Length);
                skipUntil = token.Offset + delimiter.Length;
                continue;
            }

            significant.Add(token);
        }

        Flush(sql, dialect, statements, significant, comments, sql.Length);
        return statements;
    }

    /// <summary>A custom delimiter starts at a code token (never inside a string or comment, which are single tokens).</summary>
    private static bool IsDelimiterAt(string sql, SqlToken token, string delimiter) =>
        token.Kind is not (SqlTokenKind.String or SqlTokenKind.QuotedIdentifier) && string.CompareOrdinal(sql, token.Offset, delimiter, 0, delimiter.Length) == 0;

    private static void Flush(string sql, LintDialect dialect, List<LintStatement> statements, List<SqlToken> significant, List<SqlToken> comments, int end)
    {
        if (significant.Count == 0)
        {
            // Comments after the last statement stay attached to nothing; a suppression there has no target.
            return;
        }

        var tokens = new Tokens([.. significant]);
        var offset = significant[0].Offset;
        var text = sql[offset..Math.Max(offset, Math.Min(end, sql.Length))].Trim();
        statements.Add(Classify(statements.Count, tokens, text, offset, [.. comments], dialect));
        significant.Clear();
        comments.Clear();
    }

    private static LintStatement Classify(int index, Tokens t, string text, int offset, List<SqlToken> comments, LintDialect dialect)
    {
        var kind = StatementKind.Other;
        string? table = null;
        var clauses = new List<AlterClause>();
        var columns = new List<ColumnDefinition>();
        if (t.Word(0, "ALTER"))
        {
            var i = 1;
            while (t.Word(i, "ONLINE") || t.Word(i, "OFFLINE") || t.Word(i, "IGNORE"))
            {
                i++;
            }

            if (t.Word(i, "TABLE"))
            {
                kind = StatementKind.AlterTable;
                i = Skip(t, i + 1, "IF", "EXISTS");
                i = t.Word(i, "ONLY") ? i + 1 : i;
                (table, i) = QualifiedName(t, i, dialect);
                i = t.Punct(i, "*") ? i + 1 : i;
                foreach (var part in t.SplitTopLevel(i, t.Count))
                {
                    if (part.Count > 0)
                    {
                        clauses.Add(AlterClause.Parse(part, dialect));
                    }
                }
            }
            else if (t.Word(i, "DOMAIN"))
            {
                kind = StatementKind.AlterDomain;
            }
            else if (t.Word(i, "TYPE"))
            {
                kind = StatementKind.AlterType;
            }
        }
        else if (t.Word(0, "CREATE"))
        {
            var i = 1;
            i = t.Words(i, "OR", "REPLACE") ? i + 2 : i;
            while (t.Word(i, "TEMP") || t.Word(i, "TEMPORARY") || t.Word(i, "UNLOGGED") || t.Word(i, "GLOBAL") || t.Word(i, "LOCAL") || t.Word(i, "UNIQUE") || t.Word(i, "FULLTEXT") || t.Word(i, "SPATIAL") || t.Word(i, "ONLINE"))
            {
                i++;
            }

            if (t.Word(i, "TABLE"))
            {
                kind = StatementKind.CreateTable;
                i = Skip(t, i + 1, "IF", "NOT", "EXISTS");
                (table, i) = QualifiedName(t, i, dialect);
                if (t.Punct(i, "("))
                {
                    foreach (var element in t.SplitTopLevel(i + 1, t.SkipGroup(i) - 1))
                    {
                        if (element.Count > 0 && !IsTableConstraint(element) && ColumnDefinition.Parse(element, 0, dialect) is { } column)
                        {
                            columns.Add(column);
                        }
                    }
                }
            }
            else if (t.Word(i, "INDEX"))
            {
                kind = StatementKind.CreateIndex;
                var on = t.Find(i, "ON");
                if (on >= 0)
                {
                    var j = t.Word(on + 1, "ONLY") ? on + 2 : on + 1;
                    (table, _) = QualifiedName(t, j, dialect);
                }
            }
            else if (t.Word(i, "DOMAIN"))
            {
                kind = StatementKind.CreateDomain;
            }
        }
        else if (t.Word(0, "DROP"))
        {
            var i = t.Word(1, "TEMPORARY") ? 2 : 1;
            if (t.Word(i, "TABLE"))
            {
                kind = StatementKind.DropTable;
                (table, _) = QualifiedName(t, Skip(t, i + 1, "IF", "EXISTS"), dialect);
            }
            else if (t.Word(i, "INDEX"))
            {
                kind = StatementKind.DropIndex;
            }
            else if (t.Word(i, "DATABASE") || t.Word(i, "SCHEMA"))
            {
                kind = StatementKind.DropDatabase;
            }
        }
        else if (t.Words(0, "RENAME", "TABLE"))
        {
            kind = StatementKind.RenameTable;
            (table, _) = QualifiedName(t, 2, dialect);
        }
        else if (t.Word(0, "BEGIN") || t.Words(0, "START", "TRANSACTION"))
        {
            kind = StatementKind.Begin;
        }
        else if (t.Word(0, "COMMIT") || t.Word(0, "END"))
        {
            kind = StatementKind.Commit;
        }
        else if (t.Word(0, "ROLLBACK") && !t.Word(1, "TO"))
        {
            kind = StatementKind.Rollback;
        }
        else if (t.Word(0, "SET"))
        {
            kind = StatementKind.Set;
        }
        else if (t.Word(0, "UPDATE"))
        {
            kind = StatementKind.Update;
            (table, _) = QualifiedName(t, t.Word(1, "ONLY") ? 2 : 1, dialect);
        }
        else if (t.Word(0, "DELETE"))
        {
            kind = StatementKind.Delete;
            (table, _) = QualifiedName(t, t.Word(2, "ONLY") ? 3 : 2, dialect);
        }
        else if (t.Word(0, "TRUNCATE"))
        {
            kind = StatementKind.Truncate;
        }
        else if (t.Word(0, "VACUUM"))
        {
            kind = StatementKind.Vacuum;
        }
        else if (t.Word(0, "CLUSTER"))
        {
            kind = StatementKind.Cluster;
        }
        else if (t.Word(0, "REINDEX"))
        {
            kind = StatementKind.Reindex;
        }
        else if (t.Words(0, "REFRESH", "MATERIALIZED", "VIEW"))
        {
            kind = StatementKind.RefreshMaterializedView;
        }
        else if (t.Word(0, "OPTIMIZE"))
        {
            kind = StatementKind.OptimizeTable;
        }

        return new LintStatement(index, kind, t, text, offset, table, clauses, columns, comments);
    }

    private static bool IsTableConstraint(Tokens element) =>
        element.Word(0, "CONSTRAINT") || element.Words(0, "PRIMARY", "KEY") || element.Word(0, "UNIQUE") || element.Words(0, "FOREIGN", "KEY")
        || element.Word(0, "CHECK") || element.Word(0, "EXCLUDE") || element.Word(0, "INDEX") || element.Word(0, "KEY")
        || element.Word(0, "FULLTEXT") || element.Word(0, "SPATIAL") || element.Word(0, "LIKE");

    private static int Skip(Tokens t, int i, params string[] words) => t.Words(i, words) ? i + words.Length : i;

    /// <summary>Reads a dotted name; returns it lower-cased for matching (unquoted PostgreSQL names fold anyway).</summary>
    private static (string? Name, int Next) QualifiedName(Tokens t, int i, LintDialect dialect)
    {
        var parts = new List<string>();
        while (i < t.Count && t[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            parts.Add(Tokens.Identifier(t[i], dialect));
            i++;
            if (!t.Punct(i, "."))
            {
                break;
            }

            i++;
        }

        return (parts.Count == 0 ? null : parts[^1], i);
    }
}
