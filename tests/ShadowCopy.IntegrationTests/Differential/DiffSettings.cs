using System.Globalization;
using System.Text;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// Seed and size of the differential test (docs/testing.md#differential-test).
/// <list type="bullet">
/// <item><c>SHADOWCOPY_DIFF_SEED=N</c> replays a run: every failure message prints the seed it used.
/// Unset, each test run draws a fresh seed.</item>
/// <item><c>SHADOWCOPY_SOAK=1</c> turns the same cases into a soak: more rows, longer DML windows and
/// <c>SHADOWCOPY_SOAK_ROUNDS</c> (default 5) seeds per case. Off by default; the CI part always runs
/// real cases, so nothing passes merely because the soak is off.</item>
/// <item><c>SHADOWCOPY_DIFF_ISOLATE=1</c> runs each pair of a family in a table of its own (slow; to
/// name every failing pair when one pair's failure stops its family's run), and
/// <c>SHADOWCOPY_DIFF_PAIRS=id,id…</c> keeps only those pairs.</item>
/// </list>
/// </summary>
internal sealed record DiffSettings(long MasterSeed, bool Soak, int Rounds, int Rows, int CopyWindow, int CatchUpWindow, int PostponedWindow)
{
    public bool Isolate { get; init; } = Environment.GetEnvironmentVariable("SHADOWCOPY_DIFF_ISOLATE") == "1";

    public IReadOnlySet<string>? Only { get; init; } = Environment.GetEnvironmentVariable("SHADOWCOPY_DIFF_PAIRS") is { Length: > 0 } only
        ? only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
        : null;

    public static DiffSettings Current { get; } = Load();

    public string Replay => $"SHADOWCOPY_DIFF_SEED={MasterSeed}{(Soak ? $" SHADOWCOPY_SOAK=1 SHADOWCOPY_SOAK_ROUNDS={Rounds}" : string.Empty)}{(Isolate ? " SHADOWCOPY_DIFF_ISOLATE=1" : string.Empty)}";

    /// <summary>A stable seed per case and round (string.GetHashCode differs between processes).</summary>
    public int CaseSeed(string engine, string family, string mode, int round)
    {
        var hash = 14695981039346656037UL ^ (ulong)MasterSeed;
        foreach (var b in Encoding.UTF8.GetBytes($"{engine}/{family}/{mode}/{round}"))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return (int)(hash ^ (hash >> 32));
    }

    private static DiffSettings Load()
    {
        var seedText = Environment.GetEnvironmentVariable("SHADOWCOPY_DIFF_SEED");
        var seed = string.IsNullOrWhiteSpace(seedText)
            ? Random.Shared.NextInt64(1, 1_000_000_000)
            : long.Parse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable("SHADOWCOPY_SOAK") != "1")
        {
            // CI: sized so both engines together stay under 3 minutes on 2 cores.
            return new DiffSettings(seed, Soak: false, Rounds: 1, Rows: 160, CopyWindow: 30, CatchUpWindow: 25, PostponedWindow: 30);
        }

        var roundsText = Environment.GetEnvironmentVariable("SHADOWCOPY_SOAK_ROUNDS");
        var rounds = string.IsNullOrWhiteSpace(roundsText) ? 5 : int.Parse(roundsText, NumberStyles.Integer, CultureInfo.InvariantCulture);
        return new DiffSettings(seed, Soak: true, rounds, Rows: 3000, CopyWindow: 400, CatchUpWindow: 300, PostponedWindow: 400);
    }
}
