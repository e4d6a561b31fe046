using System.Diagnostics;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// One case of the differential test: a family's table T and its control C get the same seed rows;
/// a real ShadowCopy run alters T while the same random transactions go to both tables in three
/// windows — during the copy (held with the throttle flag after its first chunk), at the end of the
/// copy before catch-up (the awaited on-row-copy-complete hook) and on into catch-up and verification,
/// and during a postponed cut-over (the postpone flag; part of it left for the final drain). Then the
/// server's own ALTER is applied to C and <see cref="DiffVerdict"/> compares.
/// </summary>
internal sealed class DifferentialCase(IDiffDatabase db, DiffFamily family, string mode, int round, ITestOutputHelper output)
{
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(240);

    private readonly DiffSettings _settings = DiffSettings.Current;

    public async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var seed = _settings.CaseSeed(db.Engine, family.Name, mode, round);
        var context = $"{db.Engine}/{mode} family {family.Name}, round {round}, case seed {seed} (replay: {_settings.Replay})";
        string Render(TypePair p, string template) => p.Render(template, db.Q, db.Schema);
        var definitions = family.Pairs.SelectMany(p => p.Companion is null ? [Render(p, p.Definition)] : new[] { Render(p, p.Definition), Render(p, p.Companion) }).ToList();
        var alter = string.Join(", ", family.Pairs.Select(p => Render(p, p.Alter)));
        await db.CreateAsync([.. family.Prelude.Select(s => s.Replace("{s}", db.Schema, StringComparison.Ordinal))], definitions);

        List<(string, ValueDomain)> writable = [];
        foreach (var pair in family.Pairs)
        {
            writable.Add((db.Q(pair.Id), pair.Values));
            if (pair.CompanionValues is { } values)
            {
                writable.Add((db.Q(pair.CompanionId), values));
            }
        }

        var dml = new DmlGenerator(new Random(seed), db.Q("id"), writable);
        await using var writer = await db.OpenWriterAsync();
        var applier = new DmlApplier(writer, dml, db.Table, db.Control);
        foreach (var transaction in dml.Seed(_settings.Rows, family.ZeroKey))
        {
            await applier.ApplyAsync(transaction);
        }

        var seeded = applier.Applied;
        var setup = clock.Elapsed;
        var flags = Directory.CreateTempSubdirectory("scd-");
        try
        {
            var (result, windows, elapsed) = await RunWithWindowsAsync(alter, applier, flags.FullName);
            var verdict = new DiffVerdict(db, family, alter, context);
            var summary = await verdict.JudgeAsync(result, applier);
            var timing = $"setup {setup.TotalSeconds:0.0} s, run {elapsed.TotalSeconds:0.0} s, verdict {(clock.Elapsed - setup - elapsed).TotalSeconds:0.0} s";
            output.WriteLine($"PASS {context}: {family.Pairs.Count} pairs, {_settings.Rows} seed rows ({dml.LiveRows} at the end), {applier.Applied - seeded} transactions ({windows}; {writer.Retries} retried after a deadlock); "
                + $"ShadowCopy exit {result.ExitCode} (rows verified after the copy {result.RowsVerifiedAfterCopy}, re-applied {result.RowsReapplied}); {timing}; {summary}");
        }
        finally
        {
            flags.Delete(recursive: true);
        }
    }

    private async Task<(AlterResult Result, string Windows, TimeSpan Elapsed)> RunWithWindowsAsync(string alter, DmlApplier applier, string flagDir)
    {
        var throttle = Path.Combine(flagDir, "throttle");
        var postpone = Path.Combine(flagDir, "postpone");
        await File.WriteAllTextAsync(postpone, "held by the differential test");
        var copyHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var postponed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new RecordingStatusSink
        {
            // On the runner's flow after a chunk: the next chunk waits for the flag to go.
            OnSnapshot = s =>
            {
                if (s.Phase == Phase.Copying && s.RowsCopied > 0 && !copyHeld.Task.IsCompleted)
                {
                    File.WriteAllText(throttle, "held by the differential test");
                    copyHeld.TrySetResult();
                }
            },
            OnEnter = p =>
            {
                if (p == Phase.Postponed)
                {
                    postponed.TrySetResult();
                }
            },
        };
        var counts = new Dictionary<string, int>();
        async Task Window(string name, int count)
        {
            await applier.WindowAsync(count);
            counts[name] = counts.GetValueOrDefault(name) + count;
        }

        var half = _settings.CatchUpWindow / 2;
        var tail = Task.CompletedTask;
        var hooks = new WindowHooks(async () =>
        {
            // Copy finished, catch-up not started: these are applied by catch-up; the rest races it and verification.
            await Window("catch-up", half);
            tail = Task.Run(() => Window("catch-up", _settings.CatchUpWindow - half));
        });

        using var stop = new CancellationTokenSource(RunTimeout);
        var watch = Stopwatch.StartNew();
        var run = db.RunShadowCopyAsync(
            alter,
            mode,
            o => o with { ThrottleFlagFile = throttle, PostponeCutOverFlagFile = postpone, StatusInterval = TimeSpan.Zero, InitialChunkSize = 20, MinChunkSize = 10, MaxChunkSize = 40 },
            sink,
            hooks,
            stop.Token);

        if (await ReachedAsync(copyHeld.Task, run))
        {
            await Window("copy", _settings.CopyWindow);
        }

        File.Delete(throttle);
        if (await ReachedAsync(postponed.Task, run))
        {
            await tail;
            await Window("postponed", _settings.PostponedWindow / 2);
            await WaitDrainedAsync(sink, run);
            // Left for the final drain: the flag goes right after these.
            await Window("final drain", _settings.PostponedWindow - (_settings.PostponedWindow / 2));
        }

        File.Delete(postpone);
        var result = await run;
        await tail;
        var windows = counts.Count == 0 ? "no window reached" : string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));
        return (result, windows, watch.Elapsed);
    }

    /// <summary>True when <paramref name="signal"/> came; false when the run ended (or hung) first.</summary>
    private static async Task<bool> ReachedAsync(Task signal, Task run)
    {
        await Task.WhenAny(signal, run, Task.Delay(SignalTimeout));
        return signal.IsCompleted;
    }

    /// <summary>Waits (bounded) for a postponed status with no backlog, reported after this call began.</summary>
    private static async Task WaitDrainedAsync(RecordingStatusSink sink, Task run)
    {
        var seen = sink.Statuses.Count;
        var deadline = Stopwatch.StartNew();
        while (!run.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (sink.Statuses.Skip(seen).Any(s => s.Phase == Phase.Postponed && s.ChangeBacklog == 0))
            {
                return;
            }

            await Task.Delay(50);
        }
    }
}
