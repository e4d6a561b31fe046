using System.Text.RegularExpressions;
using ShadowCopy.Lint;

namespace ShadowCopy.Lint.Tests;

/// <summary>
/// Realistic migration files under Corpus/&lt;engine&gt;/. The first line names the target
/// (<c>-- target: mysql 8.0.35</c>); every statement carries <c>-- expect: rule, rule</c> or
/// <c>-- expect: none</c>, and the findings inside the statement must be exactly those.
/// </summary>
public sealed partial class CorpusTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus"), "*.sql", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(AppContext.BaseDirectory, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Lint_corpusFile_reportsExactlyTheExpectedFindingsPerStatement(string relativePath)
    {
        var sql = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, relativePath));
        var header = TargetPattern().Match(sql);
        Assert.True(header.Success, "corpus files start with -- target: <engine> <version>");
        var target = LintHelper.Target(header.Groups[1].Value, header.Groups[2].Value);
        var findings = new Linter().Lint(relativePath, sql, target);
        var statements = LintParser.Parse(sql, target.Dialect);
        var lines = new LineMap(sql);
        var problems = new List<string>();
        var claimed = 0;
        foreach (var statement in statements)
        {
            var expectComment = statement.Comments.Select(c => ExpectPattern().Match(c.Text)).FirstOrDefault(m => m.Success);
            Assert.True(expectComment is not null, $"statement at line {lines.Locate(statement.Offset).Line} has no -- expect: comment");
            var expected = expectComment.Groups[1].Value.Trim() == "none"
                ? []
                : expectComment.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
            var first = lines.Locate(statement.Comments.Count > 0 ? Math.Min(statement.Comments[0].Offset, statement.Offset) : statement.Offset).Line;
            var last = lines.Locate(statement.Offset + Math.Max(0, statement.Text.Length - 1)).Line;
            var actual = findings.Where(f => f.Line >= first && f.Line <= last).Select(f => f.RuleId).Order(StringComparer.Ordinal).ToList();
            claimed += actual.Count;
            if (!expected.SequenceEqual(actual))
            {
                problems.Add($"line {first}: expected [{string.Join(", ", expected)}] got [{string.Join(", ", actual)}] in: {statement.Text}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(findings.Count, claimed);
    }

    [Fact]
    public void Corpus_eachEngine_hasAtLeastSixtyStatements()
    {
        foreach (var engine in new[] { "postgres", "mysql", "mariadb" })
        {
            var count = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", engine), "*.sql")
                .Sum(f => ExpectPattern().Count(File.ReadAllText(f)));
            Assert.True(count >= 60, $"{engine}: {count} statements");
        }
    }

    [GeneratedRegex(@"^-- target: (\w+) ([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex TargetPattern();

    [GeneratedRegex(@"--\s*expect:\s*(.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex ExpectPattern();
}
