using System.Text.RegularExpressions;

namespace ShadowCopy.Core.Tests.Architecture;

/// <summary>
/// Issue #15, point 4: Core's namespaces form no cycle. The check reads the sources: every top-level
/// type declared in a namespace of Core (nested types are private to their file's namespace), then, for every file, which of those types its code (comments
/// and string literals removed) names. A name declared in one namespace only counts as a reference
/// to it. The shared model (ShadowCopy.Core.Model) is what the others may all depend on.
/// </summary>
public sealed partial class NamespaceCycleTests
{
    [Fact]
    public void Core_namespaces_form_no_cycle()
    {
        var graph = CoreDependencies();
        var cycle = FindCycle(graph.Keys.ToList(), n => graph[n].Keys);
        Assert.True(
            cycle is null,
            cycle is null ? string.Empty : "namespace cycle: " + string.Join(" -> ", cycle) + "\n" + string.Join("\n", Edges(graph, cycle)));
    }

    /// <summary>
    /// The shared model (options, phases, exit codes, exceptions, status) sits at the bottom: it names
    /// only the schema vocabulary (TableName), which names nothing of Core.
    /// </summary>
    [Fact]
    public void The_model_sits_at_the_bottom()
    {
        var graph = CoreDependencies();
        Assert.True(graph.ContainsKey("Model"), "ShadowCopy.Core.Model not found");
        Assert.Empty(graph["Model"].Where(e => e.Key != "Schema").Select(e => $"{e.Key} (through {e.Value})"));
        Assert.Empty(graph["Schema"].Select(e => $"{e.Key} (through {e.Value})"));
    }

    [Fact]
    public void The_cycle_check_finds_a_cycle()
    {
        var edges = new Dictionary<string, string[]> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"] };
        Assert.Equal(["A", "B", "C", "A"], FindCycle(["D", "A", "B", "C"], n => edges[n]));
        Assert.Null(FindCycle(["A", "B"], n => n == "A" ? ["B"] : []));
    }

    /// <summary>Namespace (relative to ShadowCopy.Core) → namespace it names a type of → one file and type that does.</summary>
    private static Dictionary<string, Dictionary<string, string>> CoreDependencies()
    {
        var root = Path.Combine(FindRepositoryRoot(), "src", "ShadowCopy.Core");
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: f, Code: StripCommentsAndStrings(File.ReadAllText(f))))
            .Select(f => (f.Path, f.Code, Namespace: NamespaceOf(f.Code)))
            .Where(f => f.Namespace is not null)
            .ToList();
        var declared = new Dictionary<string, HashSet<string>>();
        foreach (var file in files)
        {
            foreach (Match m in Declaration().Matches(file.Code))
            {
                var type = m.Groups["name"].Value;
                if (!declared.TryGetValue(type, out var namespaces))
                {
                    declared[type] = namespaces = [];
                }

                namespaces.Add(file.Namespace!);
            }
        }

        var owner = declared.Where(d => d.Value.Count == 1).ToDictionary(d => d.Key, d => d.Value.Single());
        var graph = files.Select(f => f.Namespace!).Distinct().ToDictionary(n => n, _ => new Dictionary<string, string>());
        foreach (var file in files)
        {
            foreach (Match m in Identifier().Matches(file.Code))
            {
                if (owner.TryGetValue(m.Value, out var target) && target != file.Namespace && !graph[file.Namespace!].ContainsKey(target) && !IsMemberName(file.Code, m.Index))
                {
                    graph[file.Namespace!][target] = $"{Path.GetRelativePath(root, file.Path)} names {m.Value}";
                }
            }
        }

        return graph;
    }

    /// <summary>
    /// True where an identifier is a member's name rather than a type: after a dot (<c>Kinds.CutOverAttempt</c>)
    /// or declared after a type (<c>string CutOverAttempt</c>, <c>Task&lt;int&gt; Phase</c>), not after a
    /// modifier or an operator keyword (<c>public Phase</c>, <c>new Phase</c>).
    /// </summary>
    private static bool IsMemberName(string code, int index)
    {
        var i = index - 1;
        while (i >= 0 && char.IsWhiteSpace(code[i]))
        {
            i--;
        }

        if (i < 0)
        {
            return false;
        }

        if (code[i] is '.' or '>' or ']')
        {
            return true;
        }

        if (!char.IsLetterOrDigit(code[i]) && code[i] != '_')
        {
            return false;
        }

        var end = i + 1;
        while (i >= 0 && (char.IsLetterOrDigit(code[i]) || code[i] == '_'))
        {
            i--;
        }

        return !TypeKeywords.Contains(code[(i + 1)..end]);
    }

    /// <summary>Words after which a name is a type, not a declared member.</summary>
    private static readonly HashSet<string> TypeKeywords =
    [
        "public", "private", "protected", "internal", "static", "readonly", "sealed", "override", "virtual", "abstract",
        "async", "partial", "required", "params", "this", "volatile", "file", "new", "is", "as", "return", "in", "out",
        "ref", "await", "case", "throw", "typeof", "nameof", "default", "when", "and", "or", "not", "else", "yield",
        "using", "class", "struct", "interface", "enum", "record", "where", "event", "implicit", "explicit", "operator",
    ];

    private static IEnumerable<string> Edges(Dictionary<string, Dictionary<string, string>> graph, IReadOnlyList<string> cycle) =>
        cycle.Zip(cycle.Skip(1)).Select(p => $"  {p.First} -> {p.Second}: {graph[p.First][p.Second]}");

    /// <summary>The first cycle a depth-first search meets, as a path that ends where it starts; null if none.</summary>
    private static List<string>? FindCycle(IReadOnlyList<string> nodes, Func<string, IEnumerable<string>> next)
    {
        var state = new Dictionary<string, int>(); // 1 on the path, 2 done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var target in next(node).Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(target) == 1)
                {
                    return [.. path.Skip(path.IndexOf(target)), target];
                }

                if (state.GetValueOrDefault(target) == 0 && Visit(target) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (var node in nodes)
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static string? NamespaceOf(string code)
    {
        var m = FileNamespace().Match(code);
        if (!m.Success)
        {
            return null;
        }

        var name = m.Groups["ns"].Value;
        return name == "ShadowCopy.Core" ? "(root)" : name["ShadowCopy.Core.".Length..];
    }

    /// <summary>Removes comments, string and character literals (their text names no dependency).</summary>
    private static string StripCommentsAndStrings(string code) =>
        Literal().Replace(code, m => m.Value.StartsWith("//", StringComparison.Ordinal) || m.Value.StartsWith("/*", StringComparison.Ordinal) ? " " : "\"\"");

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

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|\$?""""""[\s\S]*?""""""|\$?""(?:[^""\\\n]|\\.)*""|'(?:[^'\\\n]|\\.)+'", RegexOptions.Singleline)]
    private static partial Regex Literal();

    [GeneratedRegex(@"^namespace\s+(?<ns>ShadowCopy\.Core(?:\.[A-Za-z]+)*)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"^(?:(?:public|internal|sealed|static|abstract|partial|readonly|file)\s+)*(?:class|interface|enum|struct|record(?:\s+(?:class|struct))?)\s+(?<name>[A-Z][A-Za-z0-9_]*)", RegexOptions.Multiline)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9_]*\b")]
    private static partial Regex Identifier();
}
