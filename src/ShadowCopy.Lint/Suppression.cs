using System.Text.RegularExpressions;
using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>
/// An inline <c>-- shadowcopy:ignore RULE[,RULE] reason</c> (next statement) or
/// <c>-- shadowcopy:ignore-file RULE reason</c> (whole file). A suppression without a reason
/// is reported and not applied: the reason is the audit trail.
/// </summary>
internal sealed partial record Suppression(IReadOnlyList<string> RuleIds, string Reason, bool WholeFile, SqlToken Comment)
{
    public static Suppression? TryParse(SqlToken comment)
    {
        var match = Pattern().Match(comment.Text);
        if (!match.Success)
        {
            return null;
        }

        var ids = match.Groups["ids"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var reason = match.Groups["reason"].Value.Trim();
        if (reason.EndsWith("*/", StringComparison.Ordinal))
        {
            reason = reason[..^2].Trim();
        }

        return new Suppression(ids, reason, match.Groups["file"].Success, comment);
    }

    public bool Covers(string ruleId) => RuleIds.Any(id => string.Equals(id, ruleId, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"shadowcopy:ignore(?<file>-file)?\s+(?<ids>[A-Za-z0-9_,\-]+)(?<reason>.*)$", RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Pattern();
}
