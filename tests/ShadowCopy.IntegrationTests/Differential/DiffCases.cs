using Xunit.Abstractions;
using Xunit.Sdk;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// Runs one test's cases — a family (or the seeded random mix) in one mode, for every round, each pair
/// alone with SHADOWCOPY_DIFF_ISOLATE=1 — and fails at the end with every failing case, not only the first.
/// </summary>
internal static class DiffCases
{
    /// <summary>Theory rows: every family and the random mix, in every capture mode.</summary>
    public static TheoryData<string, string> Theory(IEnumerable<DiffFamily> families, params string[] modes)
    {
        var data = new TheoryData<string, string>();
        foreach (var family in families.Select(f => f.Name).Append(MixedFamily.Name))
        {
            foreach (var mode in modes)
            {
                data.Add(family, mode);
            }
        }

        return data;
    }

    /// <summary>Pair ids are column names: unique (also ignoring case, as MySQL compares them) and plain.</summary>
    public static void AssertUsableIds(IEnumerable<DiffFamily> families, int maxLength)
    {
        var ids = families.SelectMany(f => f.Pairs).SelectMany(p => new[] { p.Id, p.CompanionId }).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(ids, id => Assert.True(id.Length <= maxLength && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'), id));
    }

    public static async Task RunAsync(string engine, string family, string mode, IReadOnlyList<DiffFamily> families, IReadOnlyList<string> mixable, IReadOnlyList<string> mixedPrelude, Func<IDiffDatabase> database, ITestOutputHelper output)
    {
        var settings = DiffSettings.Current;
        var failures = new List<string>();
        var ran = 0;
        for (var round = 0; round < settings.Rounds; round++)
        {
            var chosen = family == MixedFamily.Name
                ? MixedFamily.Draw(families, mixable, mixedPrelude, settings.CaseSeed(engine, MixedFamily.Name + "-draw", mode, round))
                : families.Single(f => f.Name == family);
            if (chosen.Note is { } note)
            {
                output.WriteLine($"{engine}/{mode} {family}: {note}");
            }

            foreach (var one in Split(chosen, settings))
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                await using var cleanup = new Infrastructure.AsyncCleanup(() =>
                {
                    output.WriteLine($"  ({engine}/{mode} {one.Name}: {clock.Elapsed.TotalSeconds:0.0} s with cleanup)");
                    return Task.CompletedTask;
                });
                await using var db = database();
                try
                {
                    ran++;
                    await new DifferentialCase(db, one, mode, round, output).RunAsync();
                }
                catch (XunitException failure)
                {
                    failures.Add(failure.Message);
                    output.WriteLine(Digest(failure.Message));
                }
            }
        }

        Assert.True(ran > 0, $"no case ran for {engine}/{mode} {family} (SHADOWCOPY_DIFF_PAIRS filters out every pair?)");
        if (failures.Count > 0)
        {
            Assert.Fail($"{failures.Count} of {ran} differential case(s) failed:\n\n{string.Join("\n\n", failures)}");
        }
    }

    /// <summary>One line per failed case (plus its per-column counts) for the test output; the full text goes into the assertion.</summary>
    private static string Digest(string message)
    {
        var lines = message.Split('\n');
        var columns = lines.Where(l => l.TrimStart().StartsWith("column ", StringComparison.Ordinal) && l.Contains("rows differ", StringComparison.Ordinal))
            .Select(l => "    " + l.Trim());
        return string.Join("\n", [$"FAIL {lines[0].Replace("Differential test failed: ", string.Empty, StringComparison.Ordinal)} :: {(lines.Length > 2 ? lines[2] : string.Empty)}", .. columns]);
    }

    private static IEnumerable<DiffFamily> Split(DiffFamily family, DiffSettings settings)
    {
        var pairs = settings.Only is { } only ? family.Pairs.Where(p => only.Contains(p.Id)).ToList() : family.Pairs;
        if (pairs.Count == 0)
        {
            return [];
        }

        return settings.Isolate && family.Name != MixedFamily.Name
            ? pairs.Select(p => family with { Name = $"{family.Name}.{p.Id}", Pairs = [p] })
            : [family with { Pairs = pairs }];
    }
}
