using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.CutOver;
using ShadowCopy.MySql.Preflight;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Verify;

namespace ShadowCopy.MySql.External;

/// <summary>
/// <c>shadowcopy alter --via pt-osc|gh-ost</c> (ADR 0010): our preflight, then the peer tool
/// builds and fills its new table and keeps it in sync (pt-osc: its triggers, left in place by
/// <c>--no-swap-tables --no-drop-new-table --no-drop-triggers</c>; gh-ost: its binlog applier, held
/// before its cut-over by <c>--postpone-cut-over-flag-file</c>); then our chunked checksum
/// verification of that table against the original, and the swap: ours for pt-osc (the trigger-mode
/// RENAME of <see cref="MySqlCutOver"/>), gh-ost's own once we remove its flag file. Everything
/// else — the verification, the cut-over retries, postponing, cleanup on failure — is the ordinary
/// <see cref="MySqlAlterBackend"/> driven by the ordinary runner, pointed at the tool's table.
/// </summary>
public sealed class MySqlViaToolBackend : IAlterBackend
{
    private readonly MySqlSettings _settings;
    private readonly AlterOptions _options;
    private readonly ViaToolSettings _via;
    private readonly ILogger _logger;
    private readonly MySqlAlterBackend _inner;
    private string? _executable;
    private MySqlOptionFile? _optionFile;
    private string? _flagFile;
    private ExternalToolProcess? _process;
    private volatile bool _readyForVerification;
    private bool _toolFinished;
    private bool _adopted;

    public MySqlViaToolBackend(MySqlSettings settings, AlterOptions options, ViaToolSettings via, ILogger logger)
    {
        _settings = settings;
        _options = options;
        _via = via;
        _logger = logger;
        // Trigger semantics for our verification: pt-osc's triggers write the new table in the
        // writer's own transaction, so any consistent snapshot compares like with like. gh-ost
        // applies the binlog behind the writers, so its snapshot is taken after a settle pause.
        _inner = new MySqlAlterBackend(settings, options, CaptureMode.Trigger, logger, via.Tool.NamesFor(options.Table.Name))
        {
            VerifyPointOverride = via.Tool.CutsOverItself ? GhostVerifyPointAsync : null,
        };
    }

    public HelperObjectNames Names => _inner.Names;

    public IReadOnlyList<PlannedStatement> ExecutedStatements => _inner.ExecutedStatements;

    private ExternalTool Tool => _via.Tool;

    /// <summary>pt-osc: it exited successfully. gh-ost: it reports that it waits on the flag file (its copy is done).</summary>
    private bool ToolTableComplete => Tool.CutsOverItself ? _readyForVerification : _toolFinished;

    private TableName Table => _options.Table;

    // ---- preflight ----------------------------------------------------------------------------

    public async Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken)
    {
        // Before connecting: a missing tool changes nothing anywhere.
        _executable = ToolLocator.Find(Tool.Executable, _via.SearchPath) ?? throw new ShadowCopyException(
            $"alter --via {Tool.Name} needs {Tool.Executable}, which is not on PATH: {Tool.InstallHint}. Nothing was changed.",
            ExitCodes.ExternalToolMissing);

        // The tool's leftovers first: its triggers would otherwise read as the user's (exit 18).
        var session = await _inner.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await ExternalToolObjects.CheckNoLeftoversAsync(session, Table, Names, Tool, cancellationToken).ConfigureAwait(false);
        }

        var report = await _inner.PreflightAsync(cancellationToken).ConfigureAwait(false);
        if (Tool.CutsOverItself)
        {
            // gh-ost reads row events itself: the same server settings our binlog capture needs.
            await MySqlPreflight.CheckBinlogAsync(_inner.MainSession, cancellationToken).ConfigureAwait(false);
        }

        return report;
    }

    // ---- the tool -----------------------------------------------------------------------------

    /// <summary>Starts the tool. A dry run runs the tool's own dry run to its end here.</summary>
    public async Task CreateShadowAsync(CancellationToken cancellationToken)
    {
        _optionFile = MySqlOptionFile.Create(_settings.Password);
        if (Tool.CutsOverItself && _options.Execute)
        {
            _flagFile = Path.Combine(Path.GetTempPath(), $"shadowcopy-{Guid.NewGuid():N}.postpone");
            await File.WriteAllTextAsync(_flagFile, "shadowcopy alter --via gh-ost: verifying before the cut-over\n", cancellationToken).ConfigureAwait(false);
        }

        var run = Run();
#pragma warning disable CA1873 // once per run, and the command line is wanted at Information
        Log.ToolStarting(_logger, Tool.Name, _via.Display(run));
#pragma warning restore CA1873
        _process = ExternalToolProcess.Start(_executable!, _via.Arguments(run), _settings.Password, OnLine);
        if (!_options.Execute)
        {
            var exit = await _process.Exit.WaitAsync(cancellationToken).ConfigureAwait(false);
            ThrowIfFailed(exit, "its dry run");
            _toolFinished = true;
        }
    }

    public Task StartCaptureAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// While the tool copies: wait for it up to one chunk time, so the runner keeps reporting and
    /// can be cancelled. Once its table is complete: record key ranges for verification (no copy).
    /// </summary>
    public async Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        if (!_options.Execute)
        {
            return new ChunkResult(0, true, TimeSpan.Zero);
        }

        if (!_adopted)
        {
            if (!ToolTableComplete)
            {
                var watch = Stopwatch.StartNew();
                var process = _process!;
                await Task.WhenAny(process.Exit, Task.Delay(_options.ChunkTime, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    var exit = await process.Exit.ConfigureAwait(false);
                    if (Tool.CutsOverItself)
                    {
                        throw Failed(exit == 0 ? null : exit, "before it was ready to cut over");
                    }

                    ThrowIfFailed(exit, "the copy");
                    _toolFinished = true;
                }

                if (!ToolTableComplete)
                {
                    return new ChunkResult(0, false, watch.Elapsed);
                }
            }

            _via.OnMessage($"{Tool.Name} has built and filled {Names.Shadow}; verifying it against {Table} by checksum");
            await _inner.AdoptShadowAsync(cancellationToken).ConfigureAwait(false);
            _adopted = true;
        }

        return await _inner.NextChunkAsync(chunkSize, copy: false, cancellationToken).ConfigureAwait(false);
    }

    public Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken) => Task.FromResult(0L);

    public Task<long> GetBacklogAsync(CancellationToken cancellationToken) => Task.FromResult(0L);

    public Task FinishCopyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // ---- verify -------------------------------------------------------------------------------

    public Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken) =>
        _inner.VerifyChunksAsync(chunks, cancellationToken);

    /// <summary>
    /// pt-osc: its triggers keep the table in sync, so re-copying a range is safe exactly as in our
    /// trigger mode. gh-ost: its applier would race a re-copy; give it time and check again.
    /// </summary>
    public Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken) =>
        Tool.CutsOverItself ? Task.Delay(TimeSpan.FromSeconds(1), cancellationToken) : _inner.RecopyChunksAsync(chunks, cancellationToken);

    private async Task GhostVerifyPointAsync(MySqlSession snapshot, CancellationToken cancellationToken)
    {
        var locker = await _inner.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (locker.ConfigureAwait(false))
        {
            await MySqlVerifyPoint.LockAsync(locker, $"LOCK TABLES {_inner.Statements.Source} READ", _options.CutOverLockTimeout, _options.CutOverAttempts, cancellationToken).ConfigureAwait(false);
            try
            {
                // Writes to t have stopped; gh-ost's applier needs a moment to apply what it has read.
                await Task.Delay(_via.GhostSettleTime, cancellationToken).ConfigureAwait(false);
                await snapshot.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await locker.ResetQuietlyAsync().ConfigureAwait(false);
            }
        }
    }

    // ---- cut-over -----------------------------------------------------------------------------

    public async Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken)
    {
        if (!Tool.CutsOverItself)
        {
            return await _inner.TryCutOverAsync(lockTimeout, verification, cancellationToken).ConfigureAwait(false);
        }

        // gh-ost swaps with its own bounded, retried cut-over once the flag file is gone; we bound
        // our wait on it too, and read the outcome from the catalog, not from its exit status alone.
        var watch = Stopwatch.StartNew();
        // Said before the flag goes: the tool's own "cutting over" line must not come first.
        _via.OnMessage($"verification passed; removing the postpone flag: {Tool.Name} cuts over now");
        File.Delete(_flagFile!);
        var process = _process!;
        var bound = _via.GhostCutOverTimeout;
        await Task.WhenAny(process.Exit, Task.Delay(bound, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        string? problem = null;
        if (!process.HasExited)
        {
            problem = $"{Tool.Name} did not finish its cut-over within {bound.TotalSeconds:0} s and was stopped";
            await process.KillAsync().ConfigureAwait(false);
        }
        else if (await process.Exit.ConfigureAwait(false) is var exit and not 0)
        {
            problem = $"{Tool.Name} exited with status {exit} during its cut-over";
        }

        _toolFinished = true;
        await _inner.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        var present = await ExternalToolObjects.FindAsync(_inner.MainSession, Table, Names, Tool, cancellationToken).ConfigureAwait(false);
        var swapped = !present.Contains($"table {Names.Shadow}");
        if (swapped && problem is not null)
        {
            _via.OnMessage($"{problem}, but the swap is done: {Table} is the new table");
        }

        return swapped
            ? new CutOverAttempt(true, false, watch.ElapsedMilliseconds, null)
            : new CutOverAttempt(false, false, watch.ElapsedMilliseconds, problem ?? $"{Tool.Name} exited with status 0 but {Names.Shadow} is still there (no swap)");
    }

    public async Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken)
    {
        await _inner.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        if (!Tool.CutsOverItself)
        {
            // pt-osc's triggers moved with the old table; they write a name that no longer exists.
            var dropped = await ExternalToolObjects.DropAsync(_inner.MainSession, Table, Names, [], _options.CutOverLockTimeout, cancellationToken).ConfigureAwait(false);
            Report("after the swap", dropped);
            await _inner.AfterCutOverAsync(dropOldTable, cancellationToken).ConfigureAwait(false);
        }

        DeleteFiles();
    }

    // ---- cleanup ------------------------------------------------------------------------------

    /// <summary>
    /// Stops the tool if it still runs, then removes its leftovers. Preflight proved that none of
    /// these names existed before this run, so whatever carries them now was made by this run.
    /// </summary>
    public async Task CleanupAsync(CancellationToken cancellationToken)
    {
        if (_process is not null && !_process.HasExited)
        {
            _via.OnMessage($"stopping {Tool.Name}");
            await _process.KillAsync().ConfigureAwait(false);
        }

        DeleteFiles();
        await _inner.CleanupAsync(cancellationToken).ConfigureAwait(false);
        var dropped = await ExternalToolObjects.DropAsync(_inner.MainSession, Table, Names, [Names.Shadow, .. Tool.OtherTables(Table.Name)], _options.CutOverLockTimeout, cancellationToken).ConfigureAwait(false);
        Report("left by the stopped run", dropped);
    }

    public IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps()
    {
        var sql = _inner.Statements;
        var plan = new List<PlannedStatement>
        {
            new($"{Tool.Name} (its own triggers/binlog applier and chunked copy)", _via.Display(Run() with { OptionFile = "<0600 option file with the password>" }), false, $"as documented by {Tool.Name}"),
            new("verify (per chunk)", sql.SourceChecksum(["<lower>"], ["<upper>"]), false),
            new("verify (per chunk)", sql.ShadowChecksum(["<lower>"], ["<upper>"]), false),
        };
        if (Tool.CutsOverItself)
        {
            plan.Add(new("cut-over", $"(remove the postpone flag file; {Tool.Name} swaps {Table.Name} and {Names.Shadow} with its own atomic cut-over)", false));
        }
        else
        {
            plan.AddRange(MySqlCutOver.Describe(_inner));
            plan.Add(new("after cut-over", $"DROP TRIGGER … /* {Tool.Name}'s pt_osc_* triggers, now on {Names.Old} */", false));
        }

        return plan;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        DeleteFiles();
        await _inner.DisposeAsync().ConfigureAwait(false);
    }

    private ToolRun Run() => new(_optionFile?.Path ?? "<option file>", Names.Shadow, _flagFile);

    private void OnLine(bool isError, string line)
    {
        // gh-ost's status line while it waits on the flag file (go/logic/migrator.go printStatus).
        if (Tool.CutsOverItself && line.Contains("postponing cut-over", StringComparison.OrdinalIgnoreCase))
        {
            _readyForVerification = true;
        }

        _via.OnToolLine(Tool.Name, isError, line);
    }

    private void ThrowIfFailed(int exit, string stage)
    {
        if (exit != 0)
        {
            throw Failed(exit, $"during {stage}");
        }
    }

    private ShadowCopyException Failed(int? exit, string when)
    {
        var status = exit is null ? "exited" : $"exited with status {exit}";
        return new ShadowCopyException(
            $"{Tool.Name} {status} {when} (its output is above, prefixed '{Tool.Name}|'). Nothing was swapped; the original table {Table} keeps serving; its leftovers are removed.",
            ExitCodes.ExternalToolFailed);
    }

    private void Report(string when, IReadOnlyList<string> dropped)
    {
        if (dropped.Count > 0)
        {
            _via.OnMessage($"removed {Tool.Name}'s objects {when}: {string.Join(", ", dropped)}");
        }
    }

    private void DeleteFiles()
    {
        _optionFile?.Dispose();
        _optionFile = null;
        if (_flagFile is not null && File.Exists(_flagFile))
        {
            File.Delete(_flagFile);
        }
    }
}
