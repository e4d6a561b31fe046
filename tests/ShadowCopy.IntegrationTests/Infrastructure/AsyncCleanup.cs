namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>Runs a cleanup action at the end of a scope, also when the test failed.</summary>
internal sealed class AsyncCleanup(Func<Task> action) : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await action();
}
