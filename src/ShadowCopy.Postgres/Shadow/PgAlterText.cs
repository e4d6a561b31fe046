using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Sql;

namespace ShadowCopy.Postgres.Shadow;

/// <summary>
/// Checks the user's ALTER clauses and adapts them to the shadow. The shadow's index-backed
/// constraints (primary key, unique, exclusion) and indexes carry temporary names, because index
/// names are unique per schema; a clause that names one (DROP CONSTRAINT t_pkey, USING INDEX i)
/// is rewritten to the temporary name, token by token, so quoting and comments stay intact.
/// </summary>
internal static class PgAlterText
{
    public static string Validate(string alter)
    {
        var tokens = PgLexer.Tokenize(alter ?? string.Empty);
        var significant = tokens.Where(t => !t.IsTrivia).ToList();
        if (significant.Count == 0)
        {
            throw Refuse("--alter is empty; give the clauses that follow ALTER TABLE name, e.g. --alter \"ADD COLUMN note text\".");
        }

        if (significant.Count >= 2 && significant[0].IsWord("alter") && significant[1].IsWord("table"))
        {
            throw Refuse("--alter takes only the clauses after ALTER TABLE name (e.g. \"ADD COLUMN x int\"), not a whole statement.");
        }

        for (var i = 0; i < significant.Count; i++)
        {
            var token = significant[i];
            if (token is { Kind: SqlTokenKind.Punctuation, Text: ";" } && significant.Skip(i + 1).Any(t => t.Text != ";"))
            {
                throw Refuse("--alter must be one ALTER TABLE's clauses; it contains ';' followed by another statement.");
            }

            // RENAME TO and SET SCHEMA are table actions, so they start a clause; elsewhere the
            // words can be names (RENAME COLUMN rename TO old_rename).
            var next = i + 1 < significant.Count ? significant[i + 1] : default;
            var clauseStart = i == 0 || significant[i - 1] is { Kind: SqlTokenKind.Punctuation, Text: "," };
            if (clauseStart && token.IsWord("rename") && next.IsWord("to"))
            {
                throw Refuse("--alter renames the table; that is not a schema change to copy. Run ALTER TABLE … RENAME TO directly (it is instant).");
            }

            if (clauseStart && token.IsWord("set") && next.IsWord("schema"))
            {
                throw Refuse("--alter moves the table to another schema; run ALTER TABLE … SET SCHEMA directly (it is instant).");
            }
        }

        if (tokens.Any(t => t.Kind is SqlTokenKind.String or SqlTokenKind.QuotedIdentifier or SqlTokenKind.Comment && IsUnterminated(t)))
        {
            throw Refuse("--alter has an unterminated quote or comment.");
        }

        return PgLexer.Join(tokens.Where(t => t.Text != ";" || t.Kind != SqlTokenKind.Punctuation)).Trim();
    }

    /// <summary>
    /// The USING expression of each <c>ALTER [COLUMN] c [SET DATA] TYPE t … USING expr</c> clause, by
    /// column name, as the user wrote it. The server's ALTER evaluates it over each original row;
    /// the copy and every applier must do the same (ADR 0019). Clauses end at top-level commas.
    /// </summary>
    public static IReadOnlyDictionary<string, string> UsingExpressions(string alter)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var clause in Clauses(PgLexer.Tokenize(alter)))
        {
            var significant = clause.Select((t, i) => (Token: t, Index: i)).Where(p => !p.Token.IsTrivia).ToList();
            var at = 0;
            if (at >= significant.Count || !significant[at++].Token.IsWord("alter"))
            {
                continue;
            }

            if (at < significant.Count && significant[at].Token.IsWord("column"))
            {
                at++;
            }

            if (at >= significant.Count || significant[at].Token.IdentifierValue is not { } column)
            {
                continue;
            }

            at++;
            if (at + 1 < significant.Count && significant[at].Token.IsWord("set") && significant[at + 1].Token.IsWord("data"))
            {
                at += 2;
            }

            if (at >= significant.Count || !significant[at].Token.IsWord("type"))
            {
                continue;
            }

            var depth = 0;
            for (var i = at + 1; i < significant.Count; i++)
            {
                var token = significant[i].Token;
                depth += token.Text switch { "(" or "[" => 1, ")" or "]" => -1, _ => 0 };
                if (depth == 0 && token.IsWord("using"))
                {
                    // Comments become spaces: the expression is embedded in one-line statements,
                    // where a trailing -- comment would swallow the rest.
                    var expression = clause.Skip(significant[i].Index + 1).Select(t => t.Kind == SqlTokenKind.Comment ? t with { Text = " " } : t);
                    result[column] = PgLexer.Join(expression).Trim();
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>The ALTER's clauses: the tokens between top-level commas.</summary>
    private static IEnumerable<List<SqlToken>> Clauses(IReadOnlyList<SqlToken> tokens)
    {
        var clause = new List<SqlToken>();
        var depth = 0;
        foreach (var token in tokens)
        {
            if (token.Kind == SqlTokenKind.Punctuation)
            {
                depth += token.Text switch { "(" or "[" => 1, ")" or "]" => -1, _ => 0 };
                if (depth == 0 && token.Text == ",")
                {
                    yield return clause;
                    clause = [];
                    continue;
                }
            }

            clause.Add(token);
        }

        yield return clause;
    }

    /// <summary>Replaces identifiers after CONSTRAINT or INDEX that name a renamed object.</summary>
    public static string MapNames(string alter, IReadOnlyDictionary<string, string> constraintNames, IReadOnlyDictionary<string, string> indexNames)
    {
        var tokens = PgLexer.Tokenize(alter).ToList();
        string? expecting = null;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.IsTrivia)
            {
                continue;
            }

            if (expecting is not null && (token.IsWord("if") || token.IsWord("exists")))
            {
                continue;
            }

            if (expecting is not null && token.IdentifierValue is { } name)
            {
                var map = expecting == "constraint" ? constraintNames : indexNames;
                if (map.TryGetValue(name, out var replacement))
                {
                    tokens[i] = token with { Text = PgDialect.Instance.QuoteIdentifier(replacement) };
                }

                expecting = null;
                continue;
            }

            expecting = token.IsWord("constraint") ? "constraint" : token.IsWord("index") ? "index" : null;
        }

        return PgLexer.Join(tokens);
    }

    /// <summary>
    /// The lexer runs an unterminated quote or comment to the end of the input, so a token is
    /// closed exactly when appending a character leaves it as it was. Looking at the last
    /// character is not enough: 'it'', E'a\', "a"", $q$a$ and /* /* */ all end in their
    /// closing character and are still open.
    /// </summary>
    private static bool IsUnterminated(SqlToken token) => PgLexer.Tokenize(token.Text + "\n")[0].Text != token.Text;

    private static PreflightRefusedException Refuse(string message) => new(RefusalReason.AlterRejected, message);
}
