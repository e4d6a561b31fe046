using ShadowCopy.Core.Copy;

namespace ShadowCopy.Core.Tests.Copy;

public sealed class CopyWorkersTests
{
    private sealed class Session : IAsyncDisposable
    {
        public bool Open { get; set; } = true;

        public int Disposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            Disposed++;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task SessionAsync_reuses_a_usable_session_and_replaces_a_broken_one()
    {
        var opened = new List<Session>();
        var workers = new CopyWorkers<Session>(
            _ =>
            {
                var session = new Session();
                opened.Add(session);
                return Task.FromResult(session);
            },
            s => s.Open);

        var first = await workers.SessionAsync(0, CancellationToken.None);
        Assert.Same(first, await workers.SessionAsync(0, CancellationToken.None));
        first.Open = false;
        var second = await workers.SessionAsync(0, CancellationToken.None);
        await workers.SessionAsync(1, CancellationToken.None);
        await workers.CloseAsync();

        Assert.NotSame(first, second);
        Assert.Equal(3, opened.Count);
        Assert.All(opened, s => Assert.Equal(1, s.Disposed));
    }
}
