using Microsoft.Extensions.Logging;
using Npgsql;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.CutOver;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Throttling;

namespace ShadowCopy.Postgres;

/// <summary>
/// What the phases of one PostgreSQL online ALTER share: settings and options, the capture mode,
/// helper object names, the transcript, the chunk ledger, the sessions (main, side, the two snapshot
/// sessions, the copy workers), and what the preflight and the shadow learn (tables, mapping,
/// statements, temporary index names, deferred indexes). <see cref="PgAlterBackend"/> is the facade;
/// each phase object holds this context and nothing the others need.
/// </summary>
internal sealed class PgRun
{
    private PgAutovacuum? _autovacuum;
    private CopyWorkers<PgSession>? _copyWorkers;

    public PgRun(NpgsqlConnectionStringBuilder settings, AlterOptions options, ILogger logger, PgCaptureOptions captureOptions)
    {
        Settings = settings;
        Options = options;
        Logger = logger;
        CaptureOptions = captureOptions;
        Mode = PgCaptureModes.For(captureOptions);
        Transcript.Enabled = !options.Execute;
        Names = HelperObjectNames.For(options.Table.Name, PgDialect.Instance.MaxIdentifierBytes);
    }

    public NpgsqlConnectionStringBuilder Settings { get; }

    public AlterOptions Options { get; }

    public ILogger Logger { get; }

    public PgCaptureOptions CaptureOptions { get; }

    /// <summary>The capture mode (trigger or logical): everything that differs between them goes through it.</summary>
    public IPgCaptureMode Mode { get; }

    public SqlTranscript Transcript { get; } = new();

    public ChunkLedger Ledger { get; } = new();

    public HelperObjectNames Names { get; }

    public TableName Table => Options.Table;

    public Dictionary<string, string> IndexTempNames { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> ConstraintTempNames { get; } = new(StringComparer.Ordinal);

    public List<string> Warnings { get; } = [];

    /// <summary>Plain secondary indexes dropped from the shadow, built after the copy (and checkpointed).</summary>
    public List<string> DeferredIndexes { get; } = [];

    public PgSession? MainSession { get; set; }

    public PgSession Main => MainSession ?? throw new InvalidOperationException("not connected");

    public PgSession? Side { get; set; }

    public PgSession? Snapshot { get; set; }

    public PgSession? SnapshotTwin { get; set; }

    public PgTable? Source { get; set; }

    public PgTable? Shadow { get; set; }

    public PgMapping? Mapping { get; set; }

    public PgStatements? SqlOrNull { get; set; }

    public PgStatements Sql => SqlOrNull ?? throw new InvalidOperationException("shadow not created yet");

    /// <summary>The validated ALTER text.</summary>
    public string? Alter { get; set; }

    public IReadOnlyList<PgUserTrigger> UserTriggers { get; set; } = [];

    public IPgCapture? CaptureOrNull { get; set; }

    public IPgCapture Capture => CaptureOrNull ?? throw new InvalidOperationException("shadow not created yet");

    public DirtyKeySet? AppliedKeys { get; set; }

    /// <summary>The state table exists (the swap then marks the checkpoint CleaningUp in its transaction).</summary>
    public bool StateTableReady { get; set; }

    /// <summary>A resume of a run that already swapped: only the after-swap work and the cleanup remain.</summary>
    public bool FinishingSwap { get; set; }

    /// <summary>Test seam: runs after every committed apply batch and every re-apply (a deliberately wrong conversion).</summary>
    public Func<PgSession, CancellationToken, Task>? AfterApplyForTests { get; set; }

    public string? AutovacuumDetail => _autovacuum?.Detail;

    public CopyWorkers<PgSession> Workers => _copyWorkers ??= new(OpenAsync, s => s.IsOpen);

    /// <summary>The run's own sessions (a load probe does not count them as the application's).</summary>
    public IEnumerable<PgSession?> Sessions => [MainSession, Side, Snapshot, SnapshotTwin];

    /// <summary>Before a lock request on the table (and the shadow): no autovacuum may make writers queue behind it (ADR 0029).</summary>
    public Task ClearAutovacuumAsync(PgSession session, uint? shadow, CancellationToken cancellationToken) =>
        (_autovacuum ??= new PgAutovacuum(CaptureOptions.AutovacuumWait)).ClearAsync(session, shadow is { } oid ? [Source!.Oid, oid] : [Source!.Oid], cancellationToken);

    public async Task<PgSession> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await PgSession.OpenAsync(Settings, Transcript, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (PgConnectErrors.IsConnectFailure(error) && !cancellationToken.IsCancellationRequested)
        {
            throw PgConnectErrors.ToException(Settings, error);
        }
    }

    public async Task CloseSideSessionsAsync()
    {
        if (_copyWorkers is not null)
        {
            await _copyWorkers.CloseAsync().ConfigureAwait(false);
        }

        if (Side is not null)
        {
            await Side.DisposeAsync().ConfigureAwait(false);
            Side = null;
        }

        if (Snapshot is not null)
        {
            await Snapshot.DisposeAsync().ConfigureAwait(false);
            Snapshot = null;
        }

        if (SnapshotTwin is not null)
        {
            await SnapshotTwin.DisposeAsync().ConfigureAwait(false);
            SnapshotTwin = null;
        }
    }
}
