using ShadowCopy.Lint;

namespace ShadowCopy.Lint.Tests.Rules;

public sealed class EveryRuleTests
{
    [Theory]
    [MemberData(nameof(RuleCases.All), MemberType = typeof(RuleCases))]
    public void Lint_badStatement_reportsRule(string rule, string engine, string version, string bad, string good)
    {
        _ = good;
        Assert.Contains(rule, LintHelper.Ids(bad, engine, version));
    }

    [Theory]
    [MemberData(nameof(RuleCases.All), MemberType = typeof(RuleCases))]
    public void Lint_goodStatement_doesNotReportRule(string rule, string engine, string version, string bad, string good)
    {
        _ = bad;
        Assert.DoesNotContain(rule, LintHelper.Ids(good, engine, version));
    }

    [Fact]
    public void RuleCases_everyRegisteredRule_hasACase()
    {
        var covered = RuleCases.All.Select(row => (string)row[0]).ToHashSet();
        var missing = Linter.Rules.Select(r => r.Id).Where(id => !covered.Contains(id)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Rules_ids_areUniqueKebabCase()
    {
        var ids = Linter.Rules.Select(r => r.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", id));
    }

    [Fact]
    public void Rules_everyRule_hasSafeAlternativeAndLock()
    {
        Assert.All(Linter.Rules, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.SafeAlternative), r.Id);
            Assert.False(string.IsNullOrWhiteSpace(r.Lock), r.Id);
        });
    }
}
