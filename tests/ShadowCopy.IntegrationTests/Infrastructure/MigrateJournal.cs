using System.Text.Json;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>Reads a migrate journal (JSON lines) for what a run did statement by statement.</summary>
internal static class MigrateJournal
{
    /// <summary>The migrate-step events of a journal: (statement, outcome) in order.</summary>
    public static List<(int Statement, string Outcome)> StepEvents(string journal) =>
        [.. File.ReadLines(journal)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "migrate-step")
            .Select(e => (e.GetProperty("statement").GetInt32(), e.GetProperty("outcome").GetString()!))];

    /// <summary>The killed run's journal: statement 1 done, statement 2 started and never finished.</summary>
    public static void AssertKilledInStatement2(string journal) =>
        Assert.Equal([(1, "done"), (2, "started")], StepEvents(journal).Where(e => e.Outcome != "started" || e.Statement == 2).ToList());

    /// <summary>
    /// The resumed run of a 3-statement migration killed in statement 2's online copy: it continued
    /// that copy from its checkpoint, did not run statement 1 again, and finished all three.
    /// </summary>
    public static void AssertResumedInStatement2(int exit, JsonElement result, string all, string journal, string indexMethod)
    {
        Assert.True(exit == 0, all);
        Assert.Contains("resuming after statement 1 of 3", all, StringComparison.Ordinal);
        Assert.Contains("resuming from checkpoint", all, StringComparison.Ordinal); // statement 2's copy, not a fresh one
        Assert.Equal(["done-before", "online-copy", indexMethod], result.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("method").GetString()));
        Assert.Equal([1, 2, 3], result.GetProperty("done").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([2, 3], StepEvents(journal).Where(e => e.Outcome == "started").Select(e => e.Statement));
    }
}
