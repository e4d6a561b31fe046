using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.State;
using ShadowCopy.Core.Throttling;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Capture;
using ShadowCopy.MySql.Capture.Binlog;
using ShadowCopy.MySql.Capture.Trigger;
using ShadowCopy.MySql.Copy;
using ShadowCopy.MySql.CutOver;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Preflight;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Shadow;
using ShadowCopy.MySql.State;
using ShadowCopy.MySql.Throttling;
using ShadowCopy.MySql.Verify;

namespace ShadowCopy.MySql;

/// <summary>
/// MySQL/MariaDB online ALTER. The shadow is <c>CREATE TABLE … LIKE</c> plus the user's ALTER
/// (rehearsed first on a temporary table, so refusals touch nothing); the copy walks the key in
/// ranges; changes arrive by binlog row events (<see cref="CaptureMode.Binlog"/>) or by AFTER
/// triggers (<see cref="CaptureMode.Trigger"/>); chunks are verified by checksum in one consistent
/// snapshot; the cut-over swaps names atomically (docs/cut-over.md). A run checkpoints into
/// <c>_t_state</c> and can be resumed from it (<see cref="IResumableBackend"/>); throttle figures
/// are read on connections of their own (<see cref="IServerProbe"/>, <see cref="MySqlServerProbe"/>).
/// This class is the facade: each phase lives in its folder (Preflight/, Shadow/, Copy/, Capture/,
/// Verify/, CutOver/, State/, Throttling/) and what they share in <see cref="MySqlRun"/>.
/// </summary>
public sealed class MySqlAlterBackend : PhasedAlterBackend, ICaptureStatus
{
    private readonly MySqlRun _run;
    private readonly IMySqlCapture _capture;
    private readonly MySqlShadow _shadow;
    private readonly MySqlChunkCopier _copier;
    private readonly MySqlParallelCopy _parallel;
    private readonly MySqlChecksumSource _checksums;
    private readonly MySqlDeltaKeys _delta;
    private readonly MySqlAlterPreflight _preflight;
    private readonly MySqlAfterSwap _afterSwap;
    private readonly MySqlRunProbes _probes;

    public MySqlAlterBackend(MySqlSettings settings, AlterOptions options, CaptureMode capture, ILogger logger)
        : this(settings, options, capture, logger, null)
    {
    }

    /// <summary><paramref name="names"/>: another tool's shadow in place of ours (alter --via, External/).</summary>
    internal MySqlAlterBackend(MySqlSettings settings, AlterOptions options, CaptureMode capture, ILogger logger, HelperObjectNames? names)
    {
        _run = new MySqlRun(settings, options, capture, logger, names);
        _capture = MySqlCaptures.For(_run);
        _shadow = new MySqlShadow(_run);
        _copier = new MySqlChunkCopier(_run, _capture);
        _parallel = new MySqlParallelCopy(_run, _capture, _copier);
        _checksums = new MySqlChecksumSource(_run, _capture, _copier);
        _delta = new MySqlDeltaKeys(_run, _capture, _checksums);
        var state = new MySqlCheckpointStore(_run, _capture, _shadow, _copier);
        _preflight = new MySqlAlterPreflight(_run, _capture, _shadow, state);
        _afterSwap = new MySqlAfterSwap(_run, state);
        _probes = new MySqlRunProbes(_run);
        Phases = new AlterPhases
        {
            Copier = _copier,
            ParallelCopy = _parallel,
            Changes = new MySqlChangeSource(_run, _capture, _copier),
            Checksums = _checksums,
            Pacing = _checksums,
            Keys = _delta,
            CutOver = new MySqlCutOverStrategy(_run, this),
            State = state,
            Probe = _probes,
        };
    }

    public override HelperObjectNames Names => _run.Names;

    /// <summary>alter --via: another tool creates, fills and keeps the shadow in step; we verify and swap.</summary>
    internal bool ExternalTool => _run.ExternalTool;

    public CaptureMode Capture => _run.Capture;

    public override IReadOnlyList<PlannedStatement> ExecutedStatements => _run.Transcript.Snapshot();

    public override SqlTranscript Transcript => _run.Transcript;

    /// <summary>Replaces the server-settings probe of the binlog preflight (tests of the refusal without changing globals).</summary>
    internal Func<MySqlSession, CancellationToken, Task>? BinlogCheckOverride { get => _run.BinlogCheckOverride; init => _run.BinlogCheckOverride = value; }

    /// <summary>Replaces the start of a verification snapshot (alter --via gh-ost: a settle pause under LOCK TABLES … READ).</summary>
    internal Func<MySqlSession, CancellationToken, Task>? VerifyPointOverride { get => _run.VerifyPointOverride; init => _run.VerifyPointOverride = value; }

    /// <summary>Test seam: take the verification point under the lock even where the server allows none (MySQL's path on MariaDB).</summary>
    internal bool VerifyWithLockForTests { get => _run.VerifyWithLockForTests; init => _run.VerifyWithLockForTests = value; }

    /// <summary>Test seam: runs while the cut-over's RENAME waits and before the go token exists (argument: the RENAME's connection id).</summary>
    internal Func<uint, Task>? BeforeGoTokenForTests { get => _run.BeforeGoTokenForTests; init => _run.BeforeGoTokenForTests = value; }

    /// <summary>Test seam: runs after the go token exists and before A's UNLOCK, with the RENAME's connection id.</summary>
    internal Func<uint, Task>? AfterGoTokenForTests { get => _run.AfterGoTokenForTests; init => _run.AfterGoTokenForTests = value; }

    /// <summary>Test seam: runs inside every apply batch and every re-apply after its rows reached the shadow (a deliberately wrong conversion).</summary>
    internal Func<MySqlSession, IReadOnlyList<RowKey>, CancellationToken, Task>? AfterApplyForTests { get => _run.AfterApplyForTests; init => _run.AfterApplyForTests = value; }

    // ---- phases (IAlterBackend and the seams it composes) ----------------------------------------

    public override Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken) => _preflight.RunAsync(cancellationToken);

    public override Task CreateShadowAsync(CancellationToken cancellationToken) => _shadow.CreateShadowAsync(cancellationToken);

    public override Task FinishCopyAsync(CancellationToken cancellationToken) => _shadow.FinishCopyAsync(cancellationToken);

    public string? CaptureDetail => _capture.Detail;

    internal MySqlKeyVerifier KeyVerifier => _delta.Verifier;

    // ---- cut-over, cleanup --------------------------------------------------------------------

    public override Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken) => _afterSwap.FinishAsync(dropOldTable, cancellationToken);

    public override async Task CleanupAsync(CancellationToken cancellationToken)
    {
        _run.Transcript.Step = "cleanup";
        await _capture.StopAsync().ConfigureAwait(false);
        await _run.CloseSnapshotAsync().ConfigureAwait(false);
        await _probes.CloseProbeAsync().ConfigureAwait(false);
        await _delta.CloseAsync().ConfigureAwait(false);

        await _run.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        await MainSession.ResetQuietlyAsync().ConfigureAwait(false);
        await MySqlObjects.DropAllAsync(MainSession, _run.Table, Names, _run.Options.CutOverLockTimeout, 20, cancellationToken).ConfigureAwait(false);
    }

    public override IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps() =>
        [.. _capture.Describe(), .. _shadow.Describe(), .. _checksums.Describe(), .. MySqlCutOver.Describe(this)];

    public override async ValueTask DisposeAsync()
    {
        await _capture.StopAsync().ConfigureAwait(false);
        await _run.CloseSnapshotAsync().ConfigureAwait(false);
        await _parallel.CloseAsync().ConfigureAwait(false);
        await _delta.CloseAsync().ConfigureAwait(false);

        await _probes.DisposeAsync().ConfigureAwait(false);
        await _run.CloseMainAsync().ConfigureAwait(false);
    }

    // ---- what the cut-over (MySqlCutOver, MySqlCutOverHolders, MySqlTriggerMove), the reverse
    // capture (Revert/) and alter --via (External/) read of the run ------------------------------

    internal MySqlSession MainSession => _run.MainSession;

    internal MySqlStatements Statements => _run.Statements;

    internal AlterOptions Options => _run.Options;

    internal ILogger Logger => _run.Logger;

    /// <summary>The replication stream (binlog mode; null otherwise).</summary>
    internal MySqlBinlogCapture? Binlog => _capture.Binlog;

    /// <summary>Our trigger capture with its key log (null in binlog mode and under alter --via).</summary>
    internal MySqlTriggerCapture? Triggers => _capture.Triggers;

    /// <summary>The keys moved across the swap (ADR 0026); null under alter --via.</summary>
    internal MySqlForeignKeys? ForeignKeys => _run.ForeignKeys;

    /// <summary>Binlog cut-over: row changes that reached the old table between drain and swap (null: not known).</summary>
    internal long? ChangesAfterDrain { get => _run.ChangesAfterDrain; set => _run.ChangesAfterDrain = value; }

    /// <summary>What the reverse capture of <c>alter --revertible</c> needs from the run (ADR 0031).</summary>
    internal MyMapping? RevertMapping => _run.Mapping;

    internal string? RevertAlter => _run.Alter;

    internal Task EnsureMainAsync(CancellationToken cancellationToken) => _run.EnsureMainAsync(cancellationToken);

    internal Task<MySqlSession> OpenAsync(CancellationToken cancellationToken) => _run.OpenAsync(cancellationToken);

    /// <summary>
    /// The next key range of about <paramref name="chunkSize"/> rows; copied into the shadow, or
    /// (alter --via, where another tool copied) only recorded so verification checks it.
    /// </summary>
    internal Task<ChunkResult> NextChunkAsync(int chunkSize, bool copy, CancellationToken cancellationToken) => _copier.NextChunkAsync(chunkSize, copy, cancellationToken);

    /// <summary>alter --via: another tool created and filled <see cref="HelperObjectNames.Shadow"/>; map it for verification and cut-over.</summary>
    internal Task AdoptShadowAsync(CancellationToken cancellationToken) => _shadow.AdoptShadowAsync(cancellationToken);

    internal Task CarryAutoIncrementForCutOverAsync(MySqlSession session, CancellationToken cancellationToken) => _shadow.CarryAutoIncrementAsync(session, cancellationToken);
}
