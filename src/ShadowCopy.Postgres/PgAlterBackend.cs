using Microsoft.Extensions.Logging;
using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
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
public sealed class PgAlterBackend : PhasedAlterBackend, ICaptureStatus
{
    /// <summary>The --max-load / --critical-load metric names PostgreSQL understands.</summary>
    public static readonly IReadOnlyList<string> LoadMetrics = PgServerProbe.LoadMetrics;

    private readonly PgRun _run;
    private readonly PgAlterPreflight _preflight;
    private readonly PgShadowBuilder _shadow;
    private readonly PgChunkCopier _copier;
    private readonly PgChecksumVerifier _checksums;
    private readonly PgCutOver _cutOver;
    private readonly PgServerProbe _probe;
    private readonly PgRunCleanup _cleanup;

    public PgAlterBackend(NpgsqlConnectionStringBuilder settings, AlterOptions options, ILogger logger, PgCaptureOptions? capture = null)
    {
        _run = new PgRun(settings, options, logger, capture ?? new PgCaptureOptions());
        _shadow = new PgShadowBuilder(_run);
        var resume = new PgResume(_run);
        _preflight = new PgAlterPreflight(_run, _shadow, resume);
        _copier = new PgChunkCopier(_run);
        var changes = new PgChangeSource(_run);
        var point = new PgVerifyPoint(_run, changes);
        _checksums = new PgChecksumVerifier(_run, point, _copier);
        _cutOver = new PgCutOver(_run, new PgSwapStatements(_run));
        _probe = new PgServerProbe(_run);
        _cleanup = new PgRunCleanup(_run);
        Phases = new AlterPhases
        {
            Copier = _copier,
            ParallelCopy = new PgParallelCopy(_run, _copier),
            Changes = changes,
            Checksums = _checksums,
            Pacing = _checksums,
            Keys = new PgDeltaVerifier(_run, point),
            CutOver = _cutOver,
            State = resume,
            Probe = _probe,
        };
    }

    public string? CaptureDetail => (_run.CaptureOrNull?.Detail, _run.AutovacuumDetail) switch
    {
        (null, var vacuum) => vacuum,
        (var capture, null) => capture,
        (var capture, var vacuum) => $"{capture}, {vacuum}",
    };

    public override HelperObjectNames Names => _run.Names;

    public override IReadOnlyList<PlannedStatement> ExecutedStatements => _run.Transcript.Snapshot();

    public override SqlTranscript Transcript => _run.Transcript;

    /// <summary>How long the successful cut-over held ACCESS EXCLUSIVE (drain and swap), in ms.</summary>
    public long LockHeldMs => _cutOver.LockHeldMs;

    /// <summary>Test seam: runs after every committed apply batch and every re-apply (a deliberately wrong conversion).</summary>
    internal Func<PgSession, CancellationToken, Task>? AfterApplyForTests
    {
        get => _run.AfterApplyForTests;
        init => _run.AfterApplyForTests = value;
    }

    /// <summary>A data error from the copy or an applier: the shadow cannot hold a row (exit 7, not a crash).</summary>
    public override ShadowCopyException? ClassifyFailure(Exception error) =>
        error is PostgresException postgres && PgErrors.IsDataError(postgres) ? PgErrors.ConversionRefused(postgres) : null;

    // ---- preflight and shadow ------------------------------------------------------------------

    public override Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken) => _preflight.PreflightAsync(cancellationToken);

    public override Task CreateShadowAsync(CancellationToken cancellationToken) => _shadow.CreateShadowAsync(cancellationToken);

    public override Task FinishCopyAsync(CancellationToken cancellationToken) => _copier.FinishCopyAsync(cancellationToken);

    // ---- finish copy, after the swap, cleanup --------------------------------------------------------

    public override Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken) => _cutOver.AfterCutOverAsync(dropOldTable, cancellationToken);

    public override Task CleanupAsync(CancellationToken cancellationToken) => _cleanup.CleanupAsync(cancellationToken);

    // ---- plan and disposal --------------------------------------------------------------------------

    public override IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps()
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

    public override async ValueTask DisposeAsync()
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
