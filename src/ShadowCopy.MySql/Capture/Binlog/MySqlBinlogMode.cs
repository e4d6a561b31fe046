using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Capture.Trigger;
using ShadowCopy.MySql.Copy;
using ShadowCopy.MySql.Preflight;
using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.State;
using ShadowCopy.MySql.Verify;

namespace ShadowCopy.MySql.Capture.Binlog;

/// <summary>
/// <see cref="CaptureMode.Binlog"/>: row events from the replication stream (<see cref="MySqlBinlogCapture"/>),
/// applied from their row images; the verification point is taken after draining the stream
/// (<see cref="MySqlVerifyPoint"/>).
/// </summary>
internal sealed class MySqlBinlogMode(MySqlRun run) : IMySqlCapture
{
    private readonly MySqlBinlogCapture _binlog = new(run.Settings, run.Logger);

    public MySqlBinlogCapture? Binlog => _binlog;

    public MySqlTriggerCapture? Triggers => null;

    public bool InstallsTriggers => false;

    public bool CopiesWithoutLocks => false;

    public string? Detail => _binlog.Detail;

    public DirtyKeySet? AppliedKeys
    {
        set => _binlog.AppliedKeys = value;
    }

    public BinlogPosition? CheckpointPosition => _binlog.CheckpointPosition;

    private MySqlSession Main => run.MainSession;

    public Task CheckServerAsync(MySqlSession main, CancellationToken cancellationToken) =>
        (run.BinlogCheckOverride ?? MySqlPreflight.CheckBinlogAsync)(main, cancellationToken);

    public Task StartAsync(MySqlChunkCopier copier, CancellationToken cancellationToken) =>
        // The stream starts before the first chunk: every change committed after this point
        // is applied from its row image, every change before it is in the copy.
        StartFromAsync(from: null, copier, cancellationToken);

    public async Task CheckResumableAsync(MySqlCheckpoint stored, Func<string, Exception> refuse, CancellationToken cancellationToken)
    {
        if (stored.Binlog is null)
        {
            throw refuse("the checkpoint holds no binlog position");
        }

        var logs = await Main.QueryAsync("SHOW BINARY LOGS", cancellationToken).ConfigureAwait(false);
        if (!logs.Rows.Any(r => r.GetString(0) == stored.Binlog.FileName))
        {
            throw refuse($"the binlog file {stored.Binlog.FileName} the capture must restart from has been purged (see SHOW BINARY LOGS and expire_logs_days / binlog_expire_logs_seconds)");
        }

        await MySqlPreflight.CheckResumeGtidAsync(Main, stored.Binlog.GtidSet, cancellationToken).ConfigureAwait(false);
    }

    public Task ResumeAsync(MySqlCheckpoint stored, MySqlChunkCopier copier, CancellationToken cancellationToken) =>
        StartFromAsync(stored.Binlog, copier, cancellationToken);

    private async Task StartFromAsync(BinlogPosition? from, MySqlChunkCopier copier, CancellationToken cancellationToken)
    {
        await _binlog.StartAsync(Main, run.Statements, run.Source!, from, cancellationToken).ConfigureAwait(false);
        _binlog.Applier!.AfterApplyForTests = run.AfterApplyForTests;

        // With one copy session the copy reads without locks and the applier's deletes become
        // tombstones (ADR 0017); with --threads the applier runs beside locking copies.
        var tombstones = run.Options.Threads <= 1 && !run.Ledger.CopyDone;
        await copier.StartLockFreeCopyAsync(tombstones, () => _binlog.RecordDeletes = false, cancellationToken).ConfigureAwait(false);
        if (tombstones)
        {
            _binlog.RecordDeletes = true;
        }
    }

    public async Task<long> ApplyAsync(int maxChanges, CancellationToken cancellationToken)
    {
        await _binlog.BeatAsync(Main, run.Statements, cancellationToken).ConfigureAwait(false);
        return await _binlog.ApplyAsync(Main, maxChanges, null, cancellationToken).ConfigureAwait(false);
    }

    public Task<long> BacklogAsync(CancellationToken cancellationToken) => Task.FromResult(_binlog.Backlog);

    public Task PrepareCopyWorkerAsync(MySqlSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Two sessions open the same snapshot under the verification lock, so each chunk's source and
    /// shadow checksums run at once (the benchmark spent 40% of a run in a sequential verification).
    /// </summary>
    public async Task<(MySqlSession? Twin, bool ExcludePending)> OpenVerificationAsync(MySqlSession snapshot, CancellationToken cancellationToken)
    {
        var twin = run.SnapshotTwin ??= await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        await MySqlVerifyPoint.TakeAsync(run, _binlog, [snapshot, twin], cancellationToken).ConfigureAwait(false);
        return (twin, false);
    }

    public Task TakeConsistentPointAsync(IReadOnlyList<MySqlSession> snapshots, CancellationToken cancellationToken) =>
        MySqlVerifyPoint.TakeAsync(run, _binlog, snapshots, cancellationToken);

    public IEnumerable<PlannedStatement> Describe()
    {
        var sql = run.Statements;
        yield return new("install capture", "(read the binlog from the current position; apply row images by key)", false);
        var lockFree = run.Options.Threads <= 1;
        yield return MySqlChunkCopier.DescribeCopy(sql, lockFree);
        if (lockFree)
        {
            yield return new("copy (per chunk)", sql.DeleteTombstonedRows(["<lower>"], ["<upper>"]), false);
        }
    }

    public Task StopAsync() => _binlog.StopAsync();
}
