using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Capture.Binlog;
using ShadowCopy.MySql.Copy;
using ShadowCopy.MySql.Preflight;
using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.State;

namespace ShadowCopy.MySql.Capture.Trigger;

/// <summary>
/// <see cref="CaptureMode.Trigger"/>: AFTER triggers log changed keys and the applier re-copies them
/// (<see cref="MySqlTriggerCapture"/>, ADR 0020). Under alter --via the run installs nothing: another
/// tool's triggers write the shadow in the writer's own transaction.
/// </summary>
internal sealed class MySqlTriggerMode(MySqlRun run) : IMySqlCapture
{
    private MySqlTriggerCapture? _triggers;

    public MySqlBinlogCapture? Binlog => null;

    public MySqlTriggerCapture? Triggers => _triggers;

    public bool InstallsTriggers => !run.ExternalTool;

    public bool CopiesWithoutLocks => _triggers is not null;

    public string? Detail => null;

    public DirtyKeySet? AppliedKeys
    {
        set
        {
            if (_triggers is not null)
            {
                _triggers.AppliedKeys = value;
            }
        }
    }

    public BinlogPosition? CheckpointPosition => null;

    private MySqlSession Main => run.MainSession;

    public Task CheckServerAsync(MySqlSession main, CancellationToken cancellationToken) =>
        // Our own trigger capture (not another tool's shadow under alter --via).
        run.ExternalTool ? Task.CompletedTask : MySqlPreflight.CheckTriggerCaptureAsync(main, cancellationToken);

    public async Task StartAsync(MySqlChunkCopier copier, CancellationToken cancellationToken)
    {
        _triggers = await NewTriggerCaptureAsync(cancellationToken).ConfigureAwait(false);
        await _triggers.StartAsync(Main, cancellationToken).ConfigureAwait(false);
        await Main.ExecuteAsync("SET SESSION lock_wait_timeout = 60", cancellationToken).ConfigureAwait(false);
        await copier.StartLockFreeCopyAsync(tombstones: false, tombstonesDone: null, cancellationToken).ConfigureAwait(false);
    }

    public async Task CheckResumableAsync(MySqlCheckpoint stored, Func<string, Exception> refuse, CancellationToken cancellationToken)
    {
        var table = run.Table;
        var triggers = await MySqlObjects.OurTriggerNamesAsync(Main, table, cancellationToken).ConfigureAwait(false);
        var missing = MySqlObjects.TriggerNames(table.Name).Except(triggers, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            // Without them, writes since the kill never reached the shadow.
            throw refuse($"capture trigger(s) {string.Join(", ", missing)} on {table} are gone, so changes may be missing from the shadow");
        }

        var keyLog = MySqlStatements.KeyLogName(table.Name);
        if (!(await MySqlObjects.HelperTablesAsync(Main, table.Schema, [keyLog], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(keyLog))
        {
            throw refuse($"the capture's key log {keyLog} is gone, so changes may be missing from the shadow");
        }
    }

    public async Task ResumeAsync(MySqlCheckpoint stored, MySqlChunkCopier copier, CancellationToken cancellationToken)
    {
        // The key log survived the killed run with every key logged since and not yet applied: it is the durable queue.
        _triggers = await NewTriggerCaptureAsync(cancellationToken).ConfigureAwait(false);
        await Main.ExecuteAsync("SET SESSION lock_wait_timeout = 60", cancellationToken).ConfigureAwait(false);
        await copier.StartLockFreeCopyAsync(tombstones: false, tombstonesDone: null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<MySqlTriggerCapture> NewTriggerCaptureAsync(CancellationToken cancellationToken)
    {
        var shadow = await MySqlInspector.ReadAsync(Main, run.Table.Schema, run.Names.Shadow, cancellationToken).ConfigureAwait(false);
        return new MySqlTriggerCapture(run.Statements, run.Source!, shadow, run.Options) { AppliedKeys = run.AppliedKeys, AfterApplyForTests = run.AfterApplyForTests };
    }

    public Task<long> ApplyAsync(int maxChanges, CancellationToken cancellationToken) =>
        _triggers is not null ? _triggers.ApplyAsync(Main, maxChanges, cancellationToken) : Task.FromResult(0L);

    public Task<long> BacklogAsync(CancellationToken cancellationToken) =>
        _triggers is not null ? _triggers.BacklogAsync(Main, cancellationToken) : Task.FromResult(0L);

    public async Task PrepareCopyWorkerAsync(MySqlSession session, CancellationToken cancellationToken)
    {
        if (_triggers is not null)
        {
            await session.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", cancellationToken).ConfigureAwait(false);
            await MySqlPreflight.CheckTriggerCaptureAsync(session, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// No lock. Another tool's triggers (alter --via) write the shadow in the writer's own
    /// transaction: any snapshot is consistent. Ours log keys: in the snapshot, a row whose key
    /// the log no longer holds was re-copied no older than its last change, so the tables must
    /// agree on every other row; the logged ones are in flight and verified later (ADR 0020).
    /// </summary>
    public async Task<(MySqlSession? Twin, bool ExcludePending)> OpenVerificationAsync(MySqlSession snapshot, CancellationToken cancellationToken)
    {
        await snapshot.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);
        var excludePending = false;
        if (_triggers is not null)
        {
            var pending = await _triggers.PendingKeysAsync(snapshot, cancellationToken).ConfigureAwait(false);
            run.AppliedKeys?.AddRange(pending);
            excludePending = pending.Count > 0;
        }

        return (null, excludePending);
    }

    /// <summary>Any snapshot (with our trigger capture, the caller leaves out the keys the log holds there).</summary>
    public async Task TakeConsistentPointAsync(IReadOnlyList<MySqlSession> snapshots, CancellationToken cancellationToken)
    {
        foreach (var snapshot in snapshots)
        {
            await snapshot.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);
        }
    }

    public IEnumerable<PlannedStatement> Describe()
    {
        var sql = run.Statements;
        var options = run.Options;
        yield return new("install capture", sql.CreateKeyLog(), false);
        foreach (var (_, trigger) in sql.CreateTriggers(run.Table.Name))
        {
            yield return new PlannedStatement("install capture", trigger, false, $"metadata lock, lock_wait_timeout {options.CutOverLockTimeout.TotalSeconds:0} s, retried");
        }

        yield return new("apply (per batch, READ COMMITTED)", sql.TakeKeys(options.ApplyBatchSize), false);
        yield return new("apply (per batch, READ COMMITTED)", sql.ApplyKeys([Enumerable.Repeat("<key>", sql.KeyCount).ToArray()]), false, "consistent read: no row locks on the original");
        yield return MySqlChunkCopier.DescribeCopy(sql, lockFree: true);
    }

    public Task StopAsync() => Task.CompletedTask;
}
