using System.CommandLine;
using Microsoft.Extensions.Logging;
using ShadowCopy.Cli.Engines;
using ShadowCopy.Cli.Output;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Throttling;
using Spectre.Console;

namespace ShadowCopy.Cli.Commands.Alter;

/// <summary>Builds immutable options from the command line and runs the engine. No SQL here.</summary>
internal static class AlterCommand
{
    public static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        _ = cancellationToken; // our own signal handling decides when to stop (see ShutdownSignal)
        if (parse.GetValue(AlterCommandDefinition.Revertible) && (parse.GetValue(AlterCommandDefinition.DropOldTable) || parse.GetValue(AlterCommandDefinition.Via) is not null))
        {
            // The old table is what revert swaps back (ADR 0031); another tool's swap installs no reverse capture.
            error.WriteLine("error: --revertible keeps the old table in step, so it cannot be combined with --drop-old-table or --via.");
            return ExitCodes.UsageError;
        }

        OutputFormat format;
        AlterOptions options;
        EngineCaptureOptions capture;
        IEngine engine;
        ViaExternalToolCommand? via;
        string dsn;
        RunTarget target;
        HookRunner? hooks;
        var redactor = SecretRedactor.FromEnvironment();
        JournalWriter? journal = null;
        try
        {
            format = AlterCommandDefinition.ParseOutput(parse.GetValue(AlterCommandDefinition.Output)!);
            dsn = parse.GetValue(AlterCommandDefinition.Dsn)!;
            engine = EngineRegistry.For(dsn);
            via = ViaExternalToolCommand.Parse(parse, engine);
            options = BuildOptions(parse, dsn);
            capture = BuildCapture(parse);
            target = RunTarget.Parse(dsn, parse.GetValue(AlterCommandDefinition.Table)!);
            journal = OpenJournal(parse.GetValue(AlterCommandDefinition.Journal), target, redactor, error);
            hooks = parse.GetValue(AlterCommandDefinition.HooksDir) is { } hooksDir ? new HookRunner(hooksDir, HookRunner.DefaultTimeout, journal) : null;
        }
        catch (Exception bad) when (bad is ArgumentException or FormatException)
        {
            journal?.Dispose();
            error.WriteLine($"error: {bad.Message}");
            return ExitCodes.UsageError;
        }
        catch (ShadowCopyException bad)
        {
            journal?.Dispose();
            error.WriteLine($"error: {bad.Message}");
            return bad.ExitCode;
        }

        using var journalScope = journal;

        using var loggerFactory = CliLogging.Create(parse.GetValue(AlterCommandDefinition.Verbose));
        var logger = loggerFactory.CreateLogger("shadowcopy");
        using var signal = new ShutdownSignal(error);

        // --via differs only in its backend: the journal, hooks, control socket, status and result
        // are the same run setup as ours.
        var lateSink = new LateStatusSink();
        IAlterBackend backend;
        try
        {
#pragma warning disable CA2000 // the backend is disposed by the await using that follows the try
            backend = via is null
                ? engine.CreateAlterBackend(dsn, options, logger, capture)
                : via.CreateBackend(dsn, options, format, lateSink, output, error, logger);
#pragma warning restore CA2000
        }
        catch (ShadowCopyException bad)
        {
            error.WriteLine($"error: {bad.Message}");
            return bad.ExitCode;
        }

        var control = new RunControl(options);
        ControlServer? server;
        try
        {
            server = await StartControlServerAsync(parse.GetValue(AlterCommandDefinition.ControlSocket), target, control, error);
        }
        catch (ShadowCopyException refused)
        {
            await backend.DisposeAsync();
            error.WriteLine($"error: {refused.Message}");
            return refused.ExitCode;
        }

        await using (server)
        await using (backend)
        {
            AlterResult result;
            await using (var status = StatusOutput.Open(format, output))
            {
                lateSink.Target = status.Sink;
                via?.Announce(status.Sink);
                var services = new RunServices
                {
                    Control = control,
                    Observer = journal,
                    Hooks = hooks,
                    Identity = target.Identity(via?.Tool.Name ?? capture.Mode ?? engine.DefaultCapture),
                };
                result = await new AlterRunner(backend, options, status.Sink, logger, services: services).RunAsync(signal.Token);
            }

            if (result.Outcome == "dry-run" && via is null)
            {
                // The rehearsal also says what the change costs natively and what lint thinks of
                // it, so the user can choose between native DDL and this online copy.
                var review = await ChangeReview.RunAsync(engine.CreatePlanner(dsn), options.Table, parse.GetValue(AlterCommandDefinition.Table)!, options.Alter, dsn, signal.Token);
                DryRunReviewPrinter.Print(review, format, output);
            }

            ResultPrinter.Print(result, format, output, error);
            return result.ExitCode;
        }
    }

    /// <summary>--journal: a path, "none", or the default under $XDG_STATE_HOME; failures never stop the run.</summary>
    internal static JournalWriter? OpenJournal(string? option, RunTarget target, SecretRedactor redactor, TextWriter error) =>
        option switch
        {
            "none" => null,
            "" => throw new ArgumentException("--journal takes a file path or 'none'"),
            null => new JournalWriter(target.DefaultJournalPath(), redactor, error),
            _ => new JournalWriter(option, redactor, error),
        };

    /// <summary>
    /// The control socket: the given path, or the table's default one. Another live run on it is a
    /// refusal (exit 19); any other failure is one too for an explicit path, a warning for the default.
    /// </summary>
    internal static async Task<ControlServer?> StartControlServerAsync(string? option, RunTarget target, RunControl control, TextWriter error)
    {
        string? path = option;
        try
        {
            path ??= target.DefaultSocketPath();
            return await ControlServer.StartAsync(path, control);
        }
        catch (Exception failure) when (failure is ArgumentException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            if (option is not null)
            {
                throw new ShadowCopyException($"--control-socket {option}: {failure.Message}", ExitCodes.UsageError, failure);
            }

            error.WriteLine($"warning: no control socket ({failure.Message}); `shadowcopy ctl` will not reach this run");
            return null;
        }
    }

    internal static AlterOptions BuildOptions(ParseResult parse, string dsn)
    {
        var execute = parse.GetValue(AlterCommandDefinition.Execute);
        var resume = parse.GetValue(AlterCommandDefinition.Resume);
        if (resume && !execute)
        {
            throw new ArgumentException("--resume continues a real run: add --execute (and keep the same --table and --alter)");
        }

        return CopyOptions(parse, ParseTable(parse.GetValue(AlterCommandDefinition.Table)!, dsn), parse.GetValue(AlterCommandDefinition.AlterClauses)!, execute, resume);
    }

    /// <summary>The online copy's options for <paramref name="table"/> and <paramref name="alter"/> (alter, and each online-copy step of migrate).</summary>
    internal static AlterOptions CopyOptions(ParseResult parse, TableName table, string alter, bool execute, bool resume)
    {
        var chunkSize = parse.GetValue(AlterCommandDefinition.ChunkSize);
        var maxChunk = parse.GetValue(AlterCommandDefinition.MaxChunkSize);
        if (chunkSize < 1 || maxChunk < 1)
        {
            throw new ArgumentException("--chunk-size and --max-chunk-size must be at least 1");
        }

        var attempts = parse.GetValue(AlterCommandDefinition.CutOverAttempts);
        if (attempts is < 1 or > 100)
        {
            throw new ArgumentException("--cut-over-attempts must be between 1 and 100");
        }

        var threads = parse.GetValue(AlterCommandDefinition.Threads);
        if (threads is < 1 or > 16)
        {
            throw new ArgumentException("--threads must be between 1 and 16");
        }

        return RunControlOptions(parse, new AlterOptions
        {
            Table = table,
            Alter = alter,
            Execute = execute,
            ChunkTime = Duration(parse, AlterCommandDefinition.ChunkTime),
            InitialChunkSize = Math.Min(chunkSize, maxChunk),
            MaxChunkSize = maxChunk,
            MinChunkSize = Math.Min(10, maxChunk),
            Threads = threads,
            PostponeCutOverFlagFile = parse.GetValue(AlterCommandDefinition.PostponeFlagFile),
            CutOverLockTimeout = Duration(parse, AlterCommandDefinition.CutOverLockTimeout),
            CutOverVerifyBudget = Duration(parse, AlterCommandDefinition.CutOverVerifyBudget),
            CutOverAttempts = attempts,
            DropOldTable = parse.GetValue(AlterCommandDefinition.DropOldTable),
            Revertible = parse.GetValue(AlterCommandDefinition.Revertible),
            RepointForeignKeys = parse.GetValue(AlterCommandDefinition.RepointForeignKeys),
            AllowForeignKeys = parse.GetValue(AlterCommandDefinition.AllowForeignKeys),
            PostponeCutOver = parse.GetValue(AlterCommandDefinition.PostponeCutOver),
            Resume = resume,
            CheckpointInterval = Duration(parse, AlterCommandDefinition.CheckpointInterval),
        });
    }

    /// <summary>
    /// The run-control options <c>alter</c> and <c>backfill</c> share (rate limit, throttle flag file,
    /// lag, load, throttle query, panic file, status hook interval), parsed and checked once, on top of
    /// <paramref name="options"/>.
    /// </summary>
    internal static AlterOptions RunControlOptions(ParseResult parse, AlterOptions options)
    {
        var rate = parse.GetValue(AlterCommandDefinition.MaxRowsPerSecond);
        if (rate is < 1)
        {
            throw new ArgumentException("--max-rows-per-second must be at least 1");
        }

        var replicas = parse.GetValue(AlterCommandDefinition.Replicas) ?? [];
        var maxLag = OptionalDuration(parse, AlterCommandDefinition.MaxLag);
        if (replicas.Length > 0 && maxLag is null)
        {
            throw new ArgumentException("--replica is watched for lag only with --max-lag (e.g. --max-lag 1500ms)");
        }

        var throttleQuery = parse.GetValue(AlterCommandDefinition.ThrottleQuery);
        if (throttleQuery is not null && string.IsNullOrWhiteSpace(throttleQuery))
        {
            throw new ArgumentException("--throttle-query must not be empty");
        }

        var appLatency = parse.GetValue(AlterCommandDefinition.MaxAppLatency);
        var appLatencyOff = appLatency is not null && appLatency.Trim().ToLowerInvariant() is "off" or "none";
        TimeSpan? maxAppLatency = null;
        if (appLatency is not null && !appLatencyOff && !string.Equals(appLatency.Trim(), "auto", StringComparison.OrdinalIgnoreCase))
        {
            maxAppLatency = DurationParser.TryParse(appLatency, out var budget) && budget > TimeSpan.Zero
                ? budget
                : throw new ArgumentException($"--max-app-latency takes a positive duration (e.g. 20ms, 500us), auto or off, not '{appLatency}'");
        }

        return options with
        {
            MaxRowsPerSecond = rate,
            MaxAppLatency = maxAppLatency,
            AppLatencyOff = appLatencyOff,
            ThrottleFlagFile = parse.GetValue(AlterCommandDefinition.ThrottleFlagFile),
            ReplicaDsns = replicas,
            MaxLag = maxLag,
            MaxLoad = LoadThreshold.ParseList(parse.GetValue(AlterCommandDefinition.MaxLoad), "--max-load"),
            CriticalLoad = LoadThreshold.ParseList(parse.GetValue(AlterCommandDefinition.CriticalLoad), "--critical-load"),
            CriticalLoadGrace = Duration(parse, AlterCommandDefinition.CriticalLoadGrace, allowZero: true),
            ThrottleQuery = throttleQuery,
            PanicFlagFile = parse.GetValue(AlterCommandDefinition.PanicFlagFile),
            HookStatusInterval = Duration(parse, AlterCommandDefinition.HooksStatusInterval),
        };
    }

    internal static TimeSpan Duration(ParseResult parse, Option<string> option, bool allowZero = false)
    {
        var text = parse.GetValue(option);
        return DurationParser.TryParse(text, out var value) && (value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero))
            ? value
            : throw new ArgumentException($"{option.Name} must be a positive duration like 500ms or 2s, not '{text}'");
    }

    internal static TimeSpan? OptionalDuration(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) is { } text
            ? DurationParser.TryParse(text, out var value) && value > TimeSpan.Zero
                ? value
                : throw new ArgumentException($"{option.Name} must be a positive duration like 1500ms or 2s, not '{text}'")
            : null;

    /// <summary>The --table value in the DSN's engine's terms (see <see cref="IEngine.ParseTable"/>).</summary>
    internal static TableName ParseTable(string text, string dsn) => EngineRegistry.For(dsn).ParseTable(text, dsn);

    internal static EngineCaptureOptions BuildCapture(ParseResult parse)
    {
        var text = parse.GetValue(AlterCommandDefinition.MaxSlotRetainedWal);
        var wait = parse.GetValue(AlterCommandDefinition.AutovacuumWait);
        if (!DurationParser.TryParse(wait, out var autovacuumWait) || autovacuumWait < TimeSpan.Zero)
        {
            throw new ArgumentException($"--autovacuum-wait must be a duration like 30s or 2m (0 requests the lock at once), not '{wait}'");
        }

        return SizeParser.TryParse(text, out var bytes)
            ? new EngineCaptureOptions(parse.GetValue(AlterCommandDefinition.Capture), bytes, parse.GetValue(AlterCommandDefinition.AllowReplicaIdentityFull), autovacuumWait)
            : throw new ArgumentException($"--max-slot-retained-wal must be a size like 4GB or 512MB, not '{text}'");
    }
}
