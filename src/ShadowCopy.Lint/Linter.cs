using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>Runs every enabled rule over a migration file and returns findings in file order.</summary>
public sealed class Linter
{
    private const int StatementPreviewLength = 200;
    private readonly IReadOnlyList<ILintRule> _rules;
    private readonly LintConfig _config;

    public Linter(LintConfig? config = null)
        : this(LintRules.All, config)
    {
    }

    internal Linter(IReadOnlyList<ILintRule> rules, LintConfig? config)
    {
        _rules = rules;
        _config = config ?? LintConfig.Empty;
    }

    public static IReadOnlyList<LintRuleInfo> Rules => [.. LintRules.All.Select(r => r.Info).Concat(LintRules.Meta)];

    public IReadOnlyList<LintFinding> Lint(string file, string sql, LintTarget target)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(target);
        var lines = new LineMap(sql);
        var statements = LintParser.Parse(sql, target.Dialect);
        var context = new LintContext(target) { Statements = statements };
        var findings = new List<LintFinding>();
        var fileSuppressions = statements.SelectMany(s => s.Comments).Select(Suppression.TryParse).OfType<Suppression>().Where(s => s.WholeFile && s.Reason.Length > 0).ToList();
        foreach (var statement in statements)
        {
            var suppressions = new List<Suppression>();
            foreach (var suppression in statement.Comments.Select(Suppression.TryParse).OfType<Suppression>())
            {
                if (suppression.Reason.Length == 0)
                {
                    Add(findings, LintRules.SuppressionWithoutReason, new RuleHit(suppression.Comment, $"suppression of {string.Join(", ", suppression.RuleIds)} has no reason; it is not applied"), file, lines, statement, target);
                }
                else if (!suppression.WholeFile)
                {
                    suppressions.Add(suppression);
                }
            }

            foreach (var rule in _rules)
            {
                if (!rule.Info.Dialects.Contains(target.Dialect) || _config.Disabled.Contains(rule.Info.Id)
                    || suppressions.Any(s => s.Covers(rule.Info.Id)) || fileSuppressions.Any(s => s.Covers(rule.Info.Id)))
                {
                    continue;
                }

                foreach (var hit in rule.Check(statement, context))
                {
                    Add(findings, rule.Info, hit, file, lines, statement, target);
                }
            }

            Advance(statement, context);
        }

        AddUnterminated(findings, sql, target, file, lines);
        return [.. findings.OrderBy(f => f.Line).ThenBy(f => f.Column)];
    }

    private void Add(List<LintFinding> findings, LintRuleInfo info, RuleHit hit, string file, LineMap lines, LintStatement? statement, LintTarget target)
    {
        var (line, column) = lines.Locate(hit.At.Offset);
        var severity = _config.Severities.TryGetValue(info.Id, out var overridden) ? overridden : hit.Severity ?? info.Severity;
        var text = statement?.Text ?? string.Empty;
        findings.Add(new LintFinding(
            info.Id,
            severity,
            file,
            line,
            column,
            hit.Message,
            hit.Lock ?? LockFor(info.Lock, target.Dialect),
            hit.Effect ?? info.Effect,
            info.SafeAlternative,
            text.Length > StatementPreviewLength ? text[..StatementPreviewLength] + "…" : text));
    }

    /// <summary>Updates the file state after a statement, so rules see what ran before the statement they check.</summary>
    private static void Advance(LintStatement statement, LintContext context)
    {
        switch (statement.Kind)
        {
            case StatementKind.Begin:
                context.InTransaction = true;
                break;
            case StatementKind.Commit or StatementKind.Rollback:
                context.InTransaction = false;
                context.LockedInTransaction.Clear();
                break;
            case StatementKind.AlterTable when context.InTransaction && statement.Table is { } altered && !context.IsNew(statement):
                context.LockedInTransaction.Add(altered);
                break;
            case StatementKind.CreateTable when statement.Table is { } table:
                context.CreatedTables.Add(table);
                break;
            case StatementKind.Set when statement.Tokens.Has("lock_timeout") || statement.Tokens.Has("lock_wait_timeout"):
                context.LockTimeoutSet = true;
                break;
        }
    }

    /// <summary>An unterminated string, identifier or comment swallows the rest of the file; say so instead of linting garbage silently.</summary>
    private void AddUnterminated(List<LintFinding> findings, string sql, LintTarget target, string file, LineMap lines)
    {
        var tokens = LintParser.Tokenize(sql, target.Dialect);
        if (tokens.Count == 0)
        {
            return;
        }

        var last = tokens[^1];
        var open = last.Kind switch
        {
            SqlTokenKind.String when last.Text.StartsWith('$') => DollarOpen(last.Text),
            SqlTokenKind.String or SqlTokenKind.QuotedIdentifier => last.Text.Length < 2 || last.Text[^1] != QuoteOf(last.Text) || EndsEscaped(last.Text, target),
            SqlTokenKind.Comment when last.Text.StartsWith("/*", StringComparison.Ordinal) => !last.Text.EndsWith("*/", StringComparison.Ordinal) || last.Text.Length < 4,
            _ => false,
        };
        if (open && !_config.Disabled.Contains(LintRules.Unterminated.Id))
        {
            Add(findings, LintRules.Unterminated, new RuleHit(last, "this string, quoted identifier or comment is never closed; everything after it was not linted"), file, lines, null, target);
        }
    }

    /// <summary>Rule lock texts read "X (PostgreSQL) / Y (MySQL, MariaDB)"; a finding shows the part for its engine.</summary>
    internal static string LockFor(string lockText, LintDialect dialect)
    {
        var label = dialect == LintDialect.Postgres ? "(PostgreSQL)" : "(MySQL";
        foreach (var part in lockText.Split(" / "))
        {
            var at = part.IndexOf(label, StringComparison.Ordinal);
            if (at > 0)
            {
                return part[..at].Trim();
            }
        }

        return lockText;
    }

    private static bool DollarOpen(string text)
    {
        var tagEnd = text.IndexOf('$', 1);
        var tag = tagEnd < 0 ? text : text[..(tagEnd + 1)];
        return text.Length < tag.Length * 2 || !text.EndsWith(tag, StringComparison.Ordinal);
    }

    private static char QuoteOf(string text) => text[0] is 'E' or 'e' ? '\'' : text[0];

    private static bool EndsEscaped(string text, LintTarget target)
    {
        var backslashes = target.IsMySqlFamily || text[0] is 'E' or 'e';
        if (!backslashes)
        {
            return false;
        }

        var count = 0;
        for (var i = text.Length - 2; i >= 0 && text[i] == '\\'; i--)
        {
            count++;
        }

        return count % 2 == 1;
    }
}
