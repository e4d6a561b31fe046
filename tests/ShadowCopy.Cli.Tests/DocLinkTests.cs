using System.Text;
using System.Text.RegularExpressions;

namespace ShadowCopy.Cli.Tests;

/// <summary>
/// Every relative link in README.md and docs/ points at a file that exists and, with a #fragment into
/// a Markdown file, at a heading that exists (GitHub's anchor rules). Issue 13 found a user guide
/// linking to a docs/mysql.md that did not exist.
/// </summary>
public sealed partial class DocLinkTests
{
    private static readonly string Root = FindRepositoryRoot();

    public static TheoryData<string> Documents()
    {
        var files = new TheoryData<string>();
        files.Add("README.md");
        foreach (var path in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetRelativePath(Root, path));
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Document_relativeLinks_allResolve(string document)
    {
        var source = Path.Combine(Root, document);
        var text = StripCode(File.ReadAllText(source));
        var broken = new List<string>();
        foreach (Match link in LinkPattern().Matches(text))
        {
            var target = link.Groups["target"].Value.Trim();
            if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var pathPart = hash < 0 ? target : target[..hash];
            var fragment = hash < 0 ? null : target[(hash + 1)..];
            var file = pathPart.Length == 0 ? source : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, Uri.UnescapeDataString(pathPart)));
            if (!File.Exists(file) && !Directory.Exists(file))
            {
                broken.Add($"{target} (no such file)");
            }
            else if (fragment is { Length: > 0 } && file.EndsWith(".md", StringComparison.Ordinal) && !Anchors(file).Contains(fragment))
            {
                broken.Add($"{target} (no heading #{fragment} in {Path.GetRelativePath(Root, file)})");
            }
        }

        Assert.True(broken.Count == 0, $"{document}: broken links:\n{string.Join('\n', broken)}");
    }

    [Fact]
    public void Anchors_followGitHubRules()
    {
        Assert.Equal("exit-codes", Slug("Exit codes"));
        Assert.Equal("resume-after-a-crash-or-kill", Slug("Resume after a crash or kill"));
        Assert.Equal("mysqlmariadb-binlog-capture", Slug("MySQL/MariaDB: binlog capture"));
        Assert.Equal("--via-pt-osc", Slug("`--via pt-osc`"));
    }

    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match heading in HeadingPattern().Matches(FencePattern().Replace(File.ReadAllText(markdown), string.Empty)))
        {
            var slug = Slug(heading.Groups["title"].Value);
            var n = seen.GetValueOrDefault(slug);
            anchors.Add(n == 0 ? slug : $"{slug}-{n}");
            seen[slug] = n + 1;
        }

        foreach (Match explicitAnchor in ExplicitAnchorPattern().Matches(File.ReadAllText(markdown)))
        {
            anchors.Add(explicitAnchor.Groups["id"].Value);
        }

        return anchors;
    }

    /// <summary>GitHub: lower case, drop everything but letters, digits, spaces, hyphens and underscores, spaces become hyphens.</summary>
    internal static string Slug(string title)
    {
        var text = new StringBuilder();
        foreach (var c in title.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                text.Append(c);
            }
            else if (c == ' ')
            {
                text.Append('-');
            }
        }

        return text.ToString();
    }

    private static string StripCode(string markdown) => InlineCodePattern().Replace(FencePattern().Replace(markdown, string.Empty), m => m.Value.Contains('\n', StringComparison.Ordinal) ? m.Value : "``");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ShadowCopy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ShadowCopy.sln not found above " + AppContext.BaseDirectory);
    }

    // [text](target) and [text](target "title"); images too. Reference-style definitions: [id]: target.
    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)|^\s*\[[^\]]+\]:\s*(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^#{1,6}\s+(?<title>.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"<a\s+(?:name|id)=""(?<id>[^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex ExplicitAnchorPattern();

    [GeneratedRegex(@"^(```|~~~)[^\n]*\n.*?^\1\s*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencePattern();

    [GeneratedRegex(@"`[^`\n]+`")]
    private static partial Regex InlineCodePattern();
}
