using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>Clause-level edits of the text that follows ALTER TABLE name, keeping every other byte as written.</summary>
public static class AlterClauseText
{
    /// <summary>Removes ALGORITHM= and LOCK= clauses so a planner can try each algorithm itself.</summary>
    public static string WithoutAlgorithmAndLock(string alter, LintDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(alter);
        var all = LintParser.Tokenize(alter, dialect);
        var significant = all.Where(t => !t.IsTrivia).ToList();
        var tokens = new Tokens(significant);
        var kept = new List<string>();
        foreach (var clause in tokens.SplitTopLevel(0, tokens.Count))
        {
            if (clause.Count == 0 || AlterClause.Parse(clause, dialect).Action is AlterAction.Algorithm or AlterAction.Lock)
            {
                continue;
            }

            var start = clause[0].Offset;
            var last = clause[clause.Count - 1];
            kept.Add(alter[start..(last.Offset + last.Text.Length)]);
        }

        return string.Join(", ", kept);
    }

    /// <summary>True when the text has no top-level ';' (one ALTER, nothing smuggled after it).</summary>
    public static bool IsSingleStatement(string alter, LintDialect dialect) =>
        !LintParser.Tokenize(alter, dialect).Any(t => t.Kind == SqlTokenKind.Punctuation && t.Text == ";");
}
