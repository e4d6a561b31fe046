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
    public void Complete_extends_the_prefix_only_over_contiguous_chunks()
    {
        var workers = new CopyWorkers<Session>(_ => Task.FromResult(new Session()), s => s.Open);
        workers.StartAt(2);

        Assert.Empty(workers.Complete(3));
        Assert.Empty(workers.Complete(5));
        Assert.Equal([2, 3], workers.Complete(2));
        Assert.Equal(4, workers.Contiguous);
        Assert.Equal([4, 5], workers.Complete(4));
        Assert.Equal(6, workers.Contiguous);
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
