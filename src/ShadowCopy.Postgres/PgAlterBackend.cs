using Microsoft.Extensions.Logging;
using Npgsql;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.State;
using ShadowCopy.Core.Throttling;
using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Copy;
using ShadowCopy.Postgres.CutOver;
using ShadowCopy.Postgres.Preflight;
using ShadowCopy.Postgres.Shadow;
using ShadowCopy.Postgres.State;
using ShadowCopy.Postgres.Throttling;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.Postgres;

/// <summary>
/// PostgreSQL online ALTER. Changes are captured by triggers (ADR 0002) or a pgoutput slot (ADR 0007),
/// one <see cref="IPgCaptureMode"/> each; everything else — rehearsal, shadow, chunked copy,
/// consistent-snapshot verification, one-transaction swap — is shared. This class only composes the
/// phases (Preflight/, Shadow/, Copy/, Capture/, Verify/, CutOver/, State/, Throttling/), which share
/// the run's state through one <see cref="PgRun"/>.
/// </summary>
public sealed class PgAlterBackend : IAlterBackend, ICaptureStatus, IKeyVerifier, IPacedVerification, IParallelCopyBackend, IResumableBackend, IServerProbe
{
    /// <summary>The --max-load / --critical-load metric names PostgreSQL understands.</summary>
    public static readonly IReadOnlyList<string> LoadMetrics = PgServerProbe.LoadMetrics;

    private readonly PgRun _run;
    private readonly PgAlterPreflight _preflight;
    private readonly PgShadowBuilder _shadow;
    private readonly PgChunkCopier _copier;
    private readonly PgParallelCopy _parallel;
    private readonly PgChangeSource _changes;
    private readonly PgChecksumVerifier _checksums;
    private readonly PgDeltaVerifier _delta;
    private readonly PgCutOver _cutOver;
    private readonly PgResume _resume;
    private readonly PgServerProbe _probe;
    private readonly PgRunCleanup _cleanup;

    public PgAlterBackend(NpgsqlConnectionStringBuilder settings, AlterOptions options, ILogger logger, PgCaptureOptions? capture = null)
    {
        _run = new PgRun(settings, options, logger, capture ?? new PgCaptureOptions());
        _shadow = new PgShadowBuilder(_run);
        _resume = new PgResume(_run);
        _preflight = new PgAlterPreflight(_run, _shadow, _resume);
        _copier = new PgChunkCopier(_run);
        _parallel = new PgParallelCopy(_run, _copier);
        _changes = new PgChangeSource(_run);
        var point = new PgVerifyPoint(_run, _changes);
        _checksums = new PgChecksumVerifier(_run, point, _copier);
        _delta = new PgDeltaVerifier(_run, point);
        _cutOver = new PgCutOver(_run, new PgSwapStatements(_run));
        _probe = new PgServerProbe(_run);
        _cleanup = new PgRunCleanup(_run);
    }

    public string? CaptureDetail => (_run.CaptureOrNull?.Detail, _run.AutovacuumDetail) switch
    {
        (null, var vacuum) => vacuum,
        (var capture, null) => capture,
        (var capture, var vacuum) => $"{capture}, {vacuum}",
    };

    public HelperObjectNames Names => _run.Names;

    public IReadOnlyList<PlannedStatement> ExecutedStatements => _run.Transcript.Snapshot();

    public SqlTranscript Transcript => _run.Transcript;

    /// <summary>How long the successful cut-over held ACCESS EXCLUSIVE (drain and swap), in ms.</summary>
    public long LockHeldMs => _cutOver.LockHeldMs;

    /// <summary>Test seam: runs after every committed apply batch and every re-apply (a deliberately wrong conversion).</summary>
    internal Func<PgSession, CancellationToken, Task>? AfterApplyForTests
    {
        get => _run.AfterApplyForTests;
        init => _run.AfterApplyForTests = value;
    }

    /// <summary>A data error from the copy or an applier: the shadow cannot hold a row (exit 7, not a crash).</summary>
    public ShadowCopyException? ClassifyFailure(Exception error) =>
        error is PostgresException postgres && PgErrors.IsDataError(postgres) ? PgErrors.ConversionRefused(postgres) : null;

    // ---- preflight and shadow ------------------------------------------------------------------

    public Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken) => _preflight.PreflightAsync(cancellationToken);

    public Task CreateShadowAsync(CancellationToken cancellationToken) => _shadow.CreateShadowAsync(cancellationToken);

    // ---- capture ----------------------------------------------------------------------------------

    public Task StartCaptureAsync(CancellationToken cancellationToken) => _changes.StartCaptureAsync(cancellationToken);

    public Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken) => _changes.ApplyChangesAsync(maxChanges, cancellationToken);

    public Task<long> GetBacklogAsync(CancellationToken cancellationToken) => _changes.GetBacklogAsync(cancellationToken);

    // ---- copy -------------------------------------------------------------------------------------

    public Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken) => _copier.CopyChunkAsync(chunkSize, cancellationToken);

    public bool ApplyDuringCopy => _parallel.ApplyDuringCopy;

    public Task<PlannedChunk?> PlanChunkAsync(int chunkSize, CancellationToken cancellationToken) => _parallel.PlanChunkAsync(chunkSize, cancellationToken);

    public Task<ChunkResult> CopyPlannedChunkAsync(PlannedChunk chunk, int worker, CancellationToken cancellationToken) =>
        _parallel.CopyPlannedChunkAsync(chunk, worker, cancellationToken);

    public Task FinishCopyAsync(CancellationToken cancellationToken) => _copier.FinishCopyAsync(cancellationToken);

    // ---- verify -----------------------------------------------------------------------------------

    public Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken) => _checksums.VerifyChunksAsync(chunks, cancellationToken);

    public Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken) => _checksums.RecopyChunksAsync(chunks, cancellationToken);

    /// <summary>The latency guard's pause after each verified chunk (ADR 0033); null: none.</summary>
    public Func<TimeSpan, CancellationToken, Task>? AfterVerifyChunk
    {
        get => _checksums.AfterVerifyChunk;
        set => _checksums.AfterVerifyChunk = value;
    }

    public DirtyKeySet? AppliedKeys
    {
        get => _delta.AppliedKeys;
        set => _delta.AppliedKeys = value;
    }

    public Task<KeyVerifyResult> VerifyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken) => _delta.VerifyKeysAsync(keys, cancellationToken);

    public Task RecopyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken) => _delta.RecopyKeysAsync(keys, cancellationToken);

    public string Describe(RowKey key) => _delta.Describe(key);

    // ---- cut-over, checkpoint, cleanup --------------------------------------------------------------

    public Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken) =>
        _cutOver.TryCutOverAsync(lockTimeout, verification, cancellationToken);

    public Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken) => _cutOver.AfterCutOverAsync(dropOldTable, cancellationToken);

    public Task SaveCheckpointAsync(RunProgress progress, CancellationToken cancellationToken) => _resume.SaveCheckpointAsync(progress, cancellationToken);

    public Task<RunProgress> ResumeAsync(CancellationToken cancellationToken) => _resume.ResumeAsync(cancellationToken);

    public Task CleanupAsync(CancellationToken cancellationToken) => _cleanup.CleanupAsync(cancellationToken);

    // ---- throttling ---------------------------------------------------------------------------------

    public Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken) =>
        _probe.ReadLoadAsync(metrics, cancellationToken);

    public Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken) => _probe.RunThrottleQueryAsync(sql, cancellationToken);

    public Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken) => _probe.ReadReplicaLagAsync(cancellationToken);

    public Task<TimeSpan> ProbeKeyReadAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken) => _probe.ProbeKeyReadAsync(keyColumns, cancellationToken);

    // ---- plan and disposal --------------------------------------------------------------------------

    public IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps()
    {
        var plan = new List<PlannedStatement>(_run.Capture.Describe())
        {
            new("re-copy of a chunk whose checksum differs (after deleting its range)", _run.Sql.CopyRange(true, true), false),
        };
        plan.AddRange(_run.DeferredIndexes.Select(d => new PlannedStatement("finish copy (indexes built after the copy)", d, false)));
        plan.AddRange(_checksums.Describe());
        plan.AddRange(_cutOver.Describe());
        return plan;
    }

    public async ValueTask DisposeAsync()
    {
        await _probe.CloseAsync().ConfigureAwait(false);
        if (_run.CaptureOrNull is not null)
        {
            await _run.CaptureOrNull.DisposeAsync().ConfigureAwait(false);
        }

        await _run.CloseSideSessionsAsync().ConfigureAwait(false);
        if (_run.MainSession is not null)
        {
            await _run.MainSession.DisposeAsync().ConfigureAwait(false);
        }
    }
}
