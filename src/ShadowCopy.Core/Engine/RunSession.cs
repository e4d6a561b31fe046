using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Logging;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Engine;

/// <summary>
/// What every run (<c>alter</c>, <c>backfill</c>) has around its phases, kept once: the clock, the
/// phase and counters, the throttle gate, the operator's control (a panic cancels the run), the
/// journal and the hooks. <see cref="AlterRunLoop"/> and the backfill runner each hold one and add
/// only what their phases need.
/// </summary>
internal sealed class RunSession
{
    private readonly AlterOptions _options;
    private readonly IStatusSink _sink;
    private readonly ILogger _logger;
    private readonly IRunObserver? _observer;
    private readonly IRunHooks? _hooks;
    private readonly string _command;
    private readonly string _capture;
    private readonly Stopwatch _clock = new();
    private TimeSpan _lastStatusHook;
    private Task _statusHook = Task.CompletedTask;

    /// <param name="command">What the hooks' context names as the change (the ALTER, or the backfill's SET … WHERE …).</param>
    /// <param name="capture">The capture mode for the hooks' context; empty where nothing is captured.</param>
    public RunSession(AlterOptions options, IStatusSink sink, ILogger logger, RunServices services, RunControl control, IServerProbe? probe, IReadOnlyList<IThrottler>? throttlers, string command, string capture)
    {
        _options = options;
        _sink = sink;
        _logger = logger;
        _observer = services.Observer;
        _hooks = services.Hooks;
        Identity = services.Identity;
        Control = control;
        _command = command;
        _capture = capture;
        var list = new List<IThrottler>(throttlers ?? []);
        if (options.ThrottleFlagFile is { } flag)
        {
            list.Add(new FlagFileThrottler(flag));
        }

        Gate = new ThrottleGate(options, control, probe, list);
        State = new RunState(sink, logger)
        {
            Changed = (from, to, detail) => Emit(RunEventKinds.Phase, ("from", from.ToString()), ("to", to.ToString()), ("detail", detail)),
        };
    }

    public RunState State { get; }

    public ThrottleGate Gate { get; }

    public RunControl Control { get; }

    public RunIdentity Identity { get; }

    /// <summary>Time since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>True when hooks are configured (an on-before-cut-over hook may hold the cut-over).</summary>
    public bool HasHooks => _hooks is not null;

    /// <summary>Also say each throttle on the status sink (backfill), not only in the log and journal.</summary>
    public bool AnnounceThrottle { get; init; }

    public void Start() => _clock.Start();

    public void Emit(string kind, params (string Key, object? Value)[] data) => RunNotifications.Emit(_observer, _sink, kind, data);

    /// <summary>The run's first event: who runs what where, then <paramref name="extra"/>.</summary>
    public void EmitStarted(params (string Key, object? Value)[] extra) => Emit(
        RunEventKinds.RunStarted,
        [
            ("table", _options.Table.ToString()),
            .. extra,
            ("engine", Identity.Engine),
            ("database", Identity.Database),
            ("execute", _options.Execute),
            ("resume", _options.Resume),
            ("user", Identity.User),
            ("host", Identity.Host),
            ("operator", Identity.Operator),
            ("tool_version", Identity.ToolVersion),
        ]);

    /// <summary>The run's last event; <paramref name="failure"/> (the exception, for the journal only) may be null.</summary>
    public void EmitFinished(int exitCode, string outcome, string? message, Exception? failure, TimeSpan duration, params (string Key, object? Value)[] extra) => Emit(
        RunEventKinds.RunFinished,
        [
            ("exit_code", exitCode),
            ("outcome", outcome),
            ("message", message),
            ("error", failure?.ToString()),
            .. extra,
            ("duration_ms", (long)duration.TotalMilliseconds),
        ]);

    /// <summary>
    /// For as long as the returned subscription lives: a panic (ctl panic, panic flag file, critical
    /// load) cancels <paramref name="run"/>, and operator commands and schema-changing statements of
    /// <paramref name="transcript"/> are journaled.
    /// </summary>
    public IDisposable Listen(CancellationTokenSource run, SqlTranscript? transcript)
    {
        void OnPanic(string reason) => run.Cancel();
        void OnCommand(string command, string reply) => Emit(RunEventKinds.OperatorCommand, ("command", command), ("reply", reply));
        void OnStatement(string step, string sql)
        {
            if (SqlClassifier.IsSchemaChange(sql))
            {
                Emit(RunEventKinds.Ddl, ("step", step), ("sql", sql));
            }
        }

        Control.PanicRequested += OnPanic;
        Control.CommandReceived += OnCommand;
        if (transcript is not null)
        {
            transcript.Executed += OnStatement;
        }

        return new Subscription(() =>
        {
            Control.PanicRequested -= OnPanic;
            Control.CommandReceived -= OnCommand;
            if (transcript is not null)
            {
                transcript.Executed -= OnStatement;
            }
        });
    }

    /// <summary>Updates the throttle state (journaling changes); true while work must pause.</summary>
    public async Task<bool> ThrottleAsync(CancellationToken cancellationToken)
    {
        var reason = await Gate.CheckAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var was = State.ThrottleReason;
        if (was?.StartsWith("rate limit", StringComparison.Ordinal) == true)
        {
            was = null;
        }

        if (reason != was)
        {
            if (reason is null)
            {
                Log.ThrottleLifted(_logger);
            }
            else
            {
                Log.Throttled(_logger, reason);
                if (AnnounceThrottle)
                {
                    _sink.OnMessage($"throttled: {reason}");
                }
            }

            Emit(RunEventKinds.Throttle, ("throttled", reason is not null), ("reason", reason));
        }

        State.ThrottleReason = reason;
        return reason is not null;
    }

    /// <summary>Starts the on-status hook when its interval has passed and the last one finished.</summary>
    public void TickStatusHook(CancellationToken cancellationToken)
    {
        if (_hooks is not null && _options.Execute && _clock.Elapsed - _lastStatusHook >= _options.HookStatusInterval && _statusHook.IsCompleted)
        {
            _lastStatusHook = _clock.Elapsed;
            _statusHook = RunHookAsync(HookNames.Status, cancellationToken: cancellationToken);
        }
    }

    public async Task<HookOutcome> RunHookAsync(string hook, int? exitCode = null, string? failure = null, CancellationToken cancellationToken = default)
    {
        if (_hooks is null)
        {
            return HookOutcome.None;
        }

        var context = new HookContext
        {
            Engine = Identity.Engine,
            Database = Identity.Database,
            Table = _options.Table.ToString(),
            Alter = _command,
            Phase = State.Phase.ToString(),
            Capture = _capture,
            RowsCopied = State.RowsCopied,
            RowsEstimated = State.RowsEstimated,
            ChangeBacklog = State.Backlog,
            EtaSeconds = Control.LastStatus?.Eta?.TotalSeconds,
            ElapsedSeconds = _clock.Elapsed.TotalSeconds,
            ThrottleReason = State.ThrottleReason,
            ExitCode = exitCode,
            FailureMessage = failure,
        };
        var outcome = await RunNotifications.RunHookAsync(_hooks, hook, context, _sink, cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            Log.HookFailed(_logger, hook, outcome.Failure ?? "failed");
        }

        return outcome;
    }

    /// <summary>
    /// The end of a run: waits for an on-status hook in flight, then runs on-success or on-failure
    /// (bounded by the hook runner's own timeout, not by the possibly cancelled run token).
    /// </summary>
    public async Task FinishHooksAsync(int exitCode, string? message)
    {
        try
        {
            await _statusHook.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // An on-status hook cut short by the run's end.
        }

        if (_hooks is null || !_options.Execute)
        {
            return;
        }

        await (exitCode == ExitCodes.Success
            ? RunHookAsync(HookNames.Success, cancellationToken: CancellationToken.None)
            : RunHookAsync(HookNames.Failure, exitCode, message, CancellationToken.None)).ConfigureAwait(false);
    }

    private sealed class Subscription(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}
