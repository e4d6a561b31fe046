using System.Net.Sockets;
using System.Text;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Control;

/// <summary>
/// The control socket of a run: a Unix domain socket (mode 0600) that takes one command line per
/// connection, replies and closes, so <c>shadowcopy ctl</c>, <c>socat</c> or <c>nc -U</c> can drive
/// it. Reads are bounded in size and time so a stuck client cannot hold a slot. The socket file is
/// removed on dispose.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    /// <summary>Longest command line accepted; the longest real command is a max-load list.</summary>
    public const int MaxCommandBytes = 4096;

    private const int MaxConcurrentClients = 8;
    private readonly Socket _listener;
    private readonly RunControl _control;
    private readonly TimeSpan _readTimeout;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrentClients);
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _clients = [];
    private readonly Task _acceptLoop;
    private int _disposed;

    private ControlServer(string path, Socket listener, RunControl control, TimeSpan readTimeout)
    {
        Path = path;
        _listener = listener;
        _control = control;
        _readTimeout = readTimeout;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string Path { get; }

    /// <summary>
    /// Binds <paramref name="path"/>. A socket file left by a dead run is replaced; one that a live
    /// run answers on is not (<see cref="ControlSocketInUseException"/>): two runs on one table
    /// would fight over its helper objects.
    /// </summary>
    public static async Task<ControlServer> StartAsync(string path, RunControl control, TimeSpan? readTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Encoding.UTF8.GetByteCount(path) > ControlSocketPath.MaxBytes)
        {
            throw new ArgumentException($"control socket path '{path}' is longer than {ControlSocketPath.MaxBytes} bytes (the Unix socket limit); choose a shorter --control-socket");
        }

        if (Directory.Exists(path))
        {
            throw new ArgumentException($"control socket path '{path}' is a directory; choose another --control-socket");
        }

        if (File.Exists(path))
        {
            switch (await ProbeAsync(path, cancellationToken).ConfigureAwait(false))
            {
                case Probe.Alive:
                    throw new ControlSocketInUseException(path);
                case Probe.Stale when new FileInfo(path).Length == 0:
                    // Nobody listens: a killed run's leftover. (A regular file refuses connections
                    // too; one with content is surely not ours, so only empty entries are removed.)
                    File.Delete(path);
                    break;
                default:
                    throw new ArgumentException($"control socket path '{path}' exists and is not a socket this user can use; remove it or choose another --control-socket");
            }
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));

            // bind(2) creates the file with 0777 & ~umask; connecting needs write permission, so
            // with the usual umask nobody else can connect even before this narrows it to the owner.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen(MaxConcurrentClients);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new ControlServer(path, listener, control, readTimeout ?? TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Closing the listener ends the loop.
        }

        Task[] clients;
        lock (_gate)
        {
            clients = [.. _clients];
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
        try
        {
            File.Delete(Path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Left behind, it is detected as stale by the next run.
        }

        _stop.Dispose();
        _slots.Dispose();
    }

    private enum Probe
    {
        Alive,
        Stale,
        Unusable,
    }

    private static async Task<Probe> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await ControlClient.SendAsync(path, "status json", TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            return Probe.Alive;
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Probe.Stale;
        }
        catch (SocketException)
        {
            return Probe.Unusable;
        }
        catch (TimeoutException)
        {
            // Something accepted the connection but did not reply: treat it as alive, never delete it.
            return Probe.Alive;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch
            {
                _slots.Release();
                throw;
            }

            var task = ServeAsync(client);
            lock (_gate)
            {
                _clients.Add(task);
            }

            _ = task.ContinueWith(
                done =>
                {
                    lock (_gate)
                    {
                        _clients.Remove(done);
                    }

                    _slots.Release();
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        await Task.Yield();
        using (client)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            bounded.CancelAfter(_readTimeout);
            try
            {
                var line = await ReadLineAsync(client, bounded.Token).ConfigureAwait(false);
                var reply = line is null
                    ? $"{ControlCommands.ErrorPrefix}command longer than {MaxCommandBytes} bytes; send one command per connection"
                    : ControlCommands.Execute(line, _control);
                await client.SendAsync(Encoding.UTF8.GetBytes(reply + "\n"), SocketFlags.None, bounded.Token).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Send);

                // Closing with unread input resets the connection and the client may lose the reply
                // (an oversized command): read what is left, within the same bounds.
                await DrainAsync(client, bounded.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // A client that sent nothing in time, or went away: drop it.
            }
        }
    }

    private static async Task DrainAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        for (var total = 0; total < 1 << 20;)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            total += read;
        }
    }

    /// <summary>Reads up to the first newline or the end of the stream; null when longer than allowed.</summary>
    private static async Task<string?> ReadLineAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxCommandBytes + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
            length += read;
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, newline).TrimEnd('\r');
            }
        }

        return length > MaxCommandBytes ? null : Encoding.UTF8.GetString(buffer, 0, length);
    }
}
