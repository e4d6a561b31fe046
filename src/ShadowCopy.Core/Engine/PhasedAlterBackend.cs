using ShadowCopy.Core.Capture;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.State;
using ShadowCopy.Core.Throttling;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Engine;

/// <summary>The objects one engine's run is made of, one per phase seam (ADR 0037).</summary>
public sealed record AlterPhases
{
    public required IChunkCopier Copier { get; init; }

    public required IParallelCopyBackend ParallelCopy { get; init; }

    public required IChangeSource Changes { get; init; }

    public required IChecksumSource Checksums { get; init; }

    /// <summary>Where the latency guard's pause after each verified chunk is set (usually the checksum source).</summary>
    public required IPacedVerification Pacing { get; init; }

    public required IKeyVerifier Keys { get; init; }

    public required ICutOverStrategy CutOver { get; init; }

    public required IResumableBackend State { get; init; }

    public required IServerProbe Probe { get; init; }
}

/// <summary>
/// An engine's <see cref="IAlterBackend"/> assembled from its phase objects (<see cref="AlterPhases"/>):
/// the seams' calls are handed on here, once for every engine, and a provider's backend adds only what
/// is its own (preflight, shadow, what the swap owes, cleanup, the plan). Set <see cref="Phases"/> in
/// the derived constructor.
/// </summary>
public abstract class PhasedAlterBackend : IAlterBackend, IKeyVerifier, IPacedVerification, IParallelCopyBackend, IResumableBackend, IServerProbe
{
    private readonly AlterPhases? _phases;

    protected AlterPhases Phases
    {
        get => _phases ?? throw new InvalidOperationException("the backend's constructor must set Phases");
        init => _phases = value;
    }

    public abstract HelperObjectNames Names { get; }

    public abstract IReadOnlyList<PlannedStatement> ExecutedStatements { get; }

    public virtual SqlTranscript? Transcript => null;

    public virtual ShadowCopyException? ClassifyFailure(Exception error) => null;

    public abstract Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken);

    public abstract Task CreateShadowAsync(CancellationToken cancellationToken);

    public abstract Task FinishCopyAsync(CancellationToken cancellationToken);

    public abstract Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken);

    public abstract Task CleanupAsync(CancellationToken cancellationToken);

    public abstract IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps();

    public abstract ValueTask DisposeAsync();

    public Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken) => Phases.Copier.CopyChunkAsync(chunkSize, cancellationToken);

    public bool ApplyDuringCopy => Phases.ParallelCopy.ApplyDuringCopy;

    public Task<PlannedChunk?> PlanChunkAsync(int chunkSize, CancellationToken cancellationToken) => Phases.ParallelCopy.PlanChunkAsync(chunkSize, cancellationToken);

    public Task<ChunkResult> CopyPlannedChunkAsync(PlannedChunk chunk, int worker, CancellationToken cancellationToken) =>
        Phases.ParallelCopy.CopyPlannedChunkAsync(chunk, worker, cancellationToken);

    public Task StartCaptureAsync(CancellationToken cancellationToken) => Phases.Changes.StartCaptureAsync(cancellationToken);

    public Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken) => Phases.Changes.ApplyChangesAsync(maxChanges, cancellationToken);

    public Task<long> GetBacklogAsync(CancellationToken cancellationToken) => Phases.Changes.GetBacklogAsync(cancellationToken);

    public Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken) => Phases.Checksums.VerifyChunksAsync(chunks, cancellationToken);

    public Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken) => Phases.Checksums.RecopyChunksAsync(chunks, cancellationToken);

    /// <summary>The latency guard's pause after each verified chunk (ADR 0033); null: none.</summary>
    public Func<TimeSpan, CancellationToken, Task>? AfterVerifyChunk
    {
        get => Phases.Pacing.AfterVerifyChunk;
        set => Phases.Pacing.AfterVerifyChunk = value;
    }

    /// <summary>Delta verification (ADR 0019): the keys the applier touched after their chunk was verified.</summary>
    public DirtyKeySet? AppliedKeys
    {
        get => Phases.Keys.AppliedKeys;
        set => Phases.Keys.AppliedKeys = value;
    }

    public Task<KeyVerifyResult> VerifyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken) => Phases.Keys.VerifyKeysAsync(keys, cancellationToken);

    public Task RecopyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken) => Phases.Keys.RecopyKeysAsync(keys, cancellationToken);

    public string Describe(RowKey key) => Phases.Keys.Describe(key);

    public Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken) =>
        Phases.CutOver.TryCutOverAsync(lockTimeout, verification, cancellationToken);

    public Task SaveCheckpointAsync(RunProgress progress, CancellationToken cancellationToken) => Phases.State.SaveCheckpointAsync(progress, cancellationToken);

    public Task<RunProgress> ResumeAsync(CancellationToken cancellationToken) => Phases.State.ResumeAsync(cancellationToken);

    public Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken) =>
        Phases.Probe.ReadLoadAsync(metrics, cancellationToken);

    public Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken) => Phases.Probe.RunThrottleQueryAsync(sql, cancellationToken);

    public Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken) => Phases.Probe.ReadReplicaLagAsync(cancellationToken);

    public Task<TimeSpan> ProbeKeyReadAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken) => Phases.Probe.ProbeKeyReadAsync(keyColumns, cancellationToken);
}
