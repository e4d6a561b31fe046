using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Throttling;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Tests.Fakes;

/// <summary>
/// A scripted <see cref="IAlterBackend"/>: records every call in order and lets each test replace
/// the behaviour of the phases it is about. By default the table copies in <see cref="Chunks"/>
/// chunks of 100 rows, verifies clean and cuts over on the first attempt.
/// </summary>
internal sealed class FakeAlterBackend : IAlterBackend, ICaptureStatus, IServerProbe, IKeyVerifier
{
    private readonly Lock _gate = new();
    private readonly List<string> _calls = [];

    public HelperObjectNames Names { get; } = HelperObjectNames.For("orders", 63);

    public int Chunks { get; init; } = 3;

    public string? CaptureDetail { get; set; }

    public long RowsPerChunk { get; init; } = 100;

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The calls that are phases (apply and backlog polls filtered out).</summary>
    public IReadOnlyList<string> PhaseCalls => [.. Calls.Where(c => c is not (nameof(ApplyChangesAsync) or nameof(GetBacklogAsync) or nameof(ReadLoadAsync) or nameof(VerifyKeysAsync) or nameof(RecopyKeysAsync)))];

    public List<int> ChunkSizesRequested { get; } = [];

    public List<IReadOnlyList<int>?> VerifyRequests { get; } = [];

    public List<IReadOnlyList<int>> RecopyRequests { get; } = [];

    public List<TimeSpan> CutOverLockTimeouts { get; } = [];

    public List<bool> AfterCutOverDropOld { get; } = [];

    public Func<PreflightReport>? OnPreflight { get; set; }

    public Action? OnCreateShadow { get; set; }

    /// <summary>Called with the 1-based call number and the requested size; returns the chunk or throws.</summary>
    public Func<int, int, ChunkResult>? OnCopyChunk { get; set; }

    /// <summary>Called with the 1-based round number and the chunks asked for.</summary>
    public Func<int, IReadOnlyList<int>?, VerifyRoundResult>? OnVerify { get; set; }

    /// <summary>Called with the 1-based attempt number.</summary>
    public Func<int, CutOverAttempt>? OnCutOver { get; set; }

    /// <summary>Called with the 1-based attempt number and what the runner asked the attempt to verify.</summary>
    public Func<int, CutOverVerification, CutOverAttempt>? OnVerifiedCutOver { get; set; }

    /// <summary>Keys each apply call reports as touched (delta verification), by 1-based apply call number.</summary>
    public Func<int, IReadOnlyList<RowKey>>? OnApplyKeys { get; set; }

    /// <summary>The verdicts of delta verification.</summary>
    public ScriptedKeyVerifier KeyVerifier { get; } = new();

    public DirtyKeySet? AppliedKeys { get; set; }

    public Action? OnAfterCutOver { get; set; }

    public Action? OnBacklog { get; set; }

    /// <summary>What the server probe reads for --max-load/--critical-load (default: no figures); may throw.</summary>
    public Func<IReadOnlyDictionary<string, double>>? OnReadLoad { get; set; }

    public IReadOnlyList<PlannedStatement> ExecutedStatements { get; set; } = [new("create shadow", "CREATE TABLE shadow", ExecutedInDryRun: true)];

    public int CountOf(string call) => Calls.Count(c => c == call);

    public Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken)
    {
        Record(nameof(PreflightAsync));
        return Task.FromResult(OnPreflight?.Invoke() ?? new PreflightReport(Chunks * RowsPerChunk, 1 << 20, ["id"], ["id", "note"], [], ["note2"], []));
    }

    public Task CreateShadowAsync(CancellationToken cancellationToken)
    {
        Record(nameof(CreateShadowAsync));
        OnCreateShadow?.Invoke();
        return Task.CompletedTask;
    }

    public Task StartCaptureAsync(CancellationToken cancellationToken)
    {
        Record(nameof(StartCaptureAsync));
        return Task.CompletedTask;
    }

    public Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        var call = Record(nameof(CopyChunkAsync));
        ChunkSizesRequested.Add(chunkSize);
        if (OnCopyChunk is { } scripted)
        {
            return Task.FromResult(scripted(call, chunkSize));
        }

        return Task.FromResult(new ChunkResult(RowsPerChunk, call >= Chunks, TimeSpan.FromMilliseconds(5)));
    }

    public Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken)
    {
        var call = Record(nameof(ApplyChangesAsync));
        if (OnApplyKeys?.Invoke(call) is { Count: > 0 } keys)
        {
            AppliedKeys?.AddRange(keys);
            return Task.FromResult((long)keys.Count);
        }

        return Task.FromResult(0L);
    }

    public Task<KeyVerifyResult> VerifyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        Record(nameof(VerifyKeysAsync));
        return KeyVerifier.VerifyKeysAsync(keys, cancellationToken);
    }

    public Task RecopyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        Record(nameof(RecopyKeysAsync));
        return KeyVerifier.RecopyKeysAsync(keys, cancellationToken);
    }

    public string Describe(RowKey key) => KeyVerifier.Describe(key);

    public Task<long> GetBacklogAsync(CancellationToken cancellationToken)
    {
        Record(nameof(GetBacklogAsync));
        OnBacklog?.Invoke();
        return Task.FromResult(0L);
    }

    public Task FinishCopyAsync(CancellationToken cancellationToken)
    {
        Record(nameof(FinishCopyAsync));
        return Task.CompletedTask;
    }

    public Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken)
    {
        var round = Record(nameof(VerifyChunksAsync));
        VerifyRequests.Add(chunks);
        return Task.FromResult(OnVerify?.Invoke(round, chunks) ?? new VerifyRoundResult(chunks?.Count ?? Chunks, (chunks?.Count ?? Chunks) * RowsPerChunk, []));
    }

    public Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken)
    {
        Record(nameof(RecopyChunksAsync));
        RecopyRequests.Add(chunks);
        return Task.CompletedTask;
    }

    public Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken)
    {
        var attempt = Record(nameof(TryCutOverAsync));
        CutOverLockTimeouts.Add(lockTimeout);
        return Task.FromResult(OnVerifiedCutOver?.Invoke(attempt, verification) ?? OnCutOver?.Invoke(attempt) ?? new CutOverAttempt(true, false, 3, null));
    }

    public Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken)
    {
        Record(nameof(AfterCutOverAsync));
        AfterCutOverDropOld.Add(dropOldTable);
        OnAfterCutOver?.Invoke();
        return Task.CompletedTask;
    }

    public Task CleanupAsync(CancellationToken cancellationToken)
    {
        Record(nameof(CleanupAsync));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken)
    {
        Record(nameof(ReadLoadAsync));
        return Task.FromResult(OnReadLoad?.Invoke() ?? new Dictionary<string, double>());
    }

    public Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken) => Task.FromResult<double?>(null);

    public Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ReplicaLag>>([]);

    public IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps() =>
        [new("install capture", "CREATE TRIGGER t", ExecutedInDryRun: false, Lock: "SHARE ROW EXCLUSIVE on orders")];

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Records a call; returns how many times this method has now been called.</summary>
    private int Record(string call)
    {
        lock (_gate)
        {
            _calls.Add(call);
            return _calls.Count(c => c == call);
        }
    }
}
