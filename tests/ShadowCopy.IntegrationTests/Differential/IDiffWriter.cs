namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>One application session that runs the generated transactions on either table.</summary>
internal interface IDiffWriter : IAsyncDisposable
{
    /// <summary>Transactions run again after a deadlock or lock wait timeout, as an application would.</summary>
    int Retries { get; }

    /// <summary>Runs the transaction on <paramref name="table"/>; null when it committed, else the error (it was rolled back); deadlocks are retried (bounded).</summary>
    Task<string?> RunAsync(DiffTransaction transaction, string table);
}
