namespace ShadowCopy.MySql.Protocol;

/// <summary>
/// Cancels a running command the way the mysql client does: KILL QUERY from a second connection, then,
/// if the server has not ended the command within the grace period, abort the transport.
/// </summary>
internal sealed class QueryKiller : IDisposable
{
    private readonly MySqlClientConnection _connection;
    private readonly CancellationTokenSource _io;
    private readonly object _gate = new();
    private Task _kill = Task.CompletedTask;
    private Timer? _grace;
    private bool _disposed;

    public QueryKiller(MySqlClientConnection connection, CancellationTokenSource io)
    {
        _connection = connection;
        _io = io;
    }

    public bool Triggered { get; private set; }

    public bool TimedOut { get; private set; }

    public void Trigger(bool timedOut)
    {
        lock (_gate)
        {
            if (Triggered || _disposed)
            {
                return;
            }

            Triggered = true;
            TimedOut = timedOut;
            _grace = new Timer(static state => ((QueryKiller)state!).AbortIo(), this, _connection.Settings.CancellationGracePeriod, Timeout.InfiniteTimeSpan);
            _kill = Task.Run(KillAsync);
        }
    }

    public Task WaitAsync()
    {
        lock (_gate)
        {
            return _kill;
        }
    }

    /// <summary>Refuses further triggers and stops the grace timer; a kill already sent still completes.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _disposed = true;
            _grace?.Dispose();
        }
    }

    public void Dispose() => Stop();

    private async Task KillAsync()
    {
        try
        {
            await _connection.KillQueryAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _connection.LogKillFailure(ex);
            AbortIo();
        }
    }

    private void AbortIo()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _io.Cancel();
            }
        }
    }
}
