using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Tests.Fakes;

/// <summary>
/// A <see cref="FakeAlterBackend"/> that also copies in parallel: plans <see cref="Chunks"/> chunks
/// of <see cref="RowsPerChunk"/> rows, each copy taking <see cref="CopyTime"/>, and records which
/// chunks were copied, by which worker, and how many copies ran at once.
/// </summary>
internal sealed class FakeParallelBackend(FakeAlterBackend inner) : IAlterBackend, IParallelCopyBackend
{
    private readonly Lock _gate = new();
    private int _planned;
    private int _running;

    public FakeAlterBackend Inner => inner;

    public int Chunks { get; init; } = 12;

    public bool ApplyDuringCopy { get; init; } = true;

    /// <summary>Applies that ran while at least one copy was running.</summary>
    public int AppliesDuringCopy { get; private set; }

    public long RowsPerChunk { get; init; } = 100;

    public TimeSpan CopyTime { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Called with the chunk id and its attempt number (1-based) before the copy; may throw.</summary>
    public Action<int, int>? OnCopy { get; init; }

    public List<(int Chunk, int Worker)> Copies { get; } = [];

    public List<int> PlanSizes { get; } = [];

    public int MaxConcurrent { get; private set; }

    /// <summary>Copies still running when cleanup started (must be 0: nothing writes while cleanup drops).</summary>
    public int RunningAtCleanup { get; private set; } = -1;

    public HelperObjectNames Names => inner.Names;

    public IReadOnlyList<PlannedStatement> ExecutedStatements => inner.ExecutedStatements;

    public Task<PlannedChunk?> PlanChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        PlanSizes.Add(chunkSize);
        if (_planned >= Chunks)
        {
            return Task.FromResult<PlannedChunk?>(null);
        }

        _planned++;
        return Task.FromResult<PlannedChunk?>(new PlannedChunk(_planned - 1, _planned == Chunks));
    }

    public async Task<ChunkResult> CopyPlannedChunkAsync(PlannedChunk chunk, int worker, CancellationToken cancellationToken)
    {
        int attempt;
        lock (_gate)
        {
            Copies.Add((chunk.Id, worker));
            attempt = Copies.Count(c => c.Chunk == chunk.Id);
            _running++;
            MaxConcurrent = Math.Max(MaxConcurrent, _running);
        }

        try
        {
            await Task.Delay(CopyTime, cancellationToken);
            OnCopy?.Invoke(chunk.Id, attempt);
            return new ChunkResult(RowsPerChunk, chunk.Last, CopyTime);
        }
        finally
        {
            lock (_gate)
            {
                _running--;
            }
        }
    }

    public Task CleanupAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            RunningAtCleanup = _running;
        }

        return inner.CleanupAsync(cancellationToken);
    }

    public Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken) => inner.PreflightAsync(cancellationToken);

    public Task CreateShadowAsync(CancellationToken cancellationToken) => inner.CreateShadowAsync(cancellationToken);

    public Task StartCaptureAsync(CancellationToken cancellationToken) => inner.StartCaptureAsync(cancellationToken);

    public Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken) => inner.CopyChunkAsync(chunkSize, cancellationToken);

    public Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running > 0)
            {
                AppliesDuringCopy++;
            }
        }

        return inner.ApplyChangesAsync(maxChanges, cancellationToken);
    }

    public Task<long> GetBacklogAsync(CancellationToken cancellationToken) => inner.GetBacklogAsync(cancellationToken);

    public Task FinishCopyAsync(CancellationToken cancellationToken) => inner.FinishCopyAsync(cancellationToken);

    public Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken) => inner.VerifyChunksAsync(chunks, cancellationToken);

    public Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken) => inner.RecopyChunksAsync(chunks, cancellationToken);

    public Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken) => inner.TryCutOverAsync(lockTimeout, verification, cancellationToken);

    public Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken) => inner.AfterCutOverAsync(dropOldTable, cancellationToken);

    public IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps() => inner.DescribeUnexecutedSteps();

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
