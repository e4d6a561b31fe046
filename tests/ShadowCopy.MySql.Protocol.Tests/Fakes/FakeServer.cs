using System.Net;
using System.Net.Sockets;
using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Tests.Fakes;

/// <summary>A one-connection MySQL server on a loopback socket that runs a scripted exchange.</summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Task _run;
    private readonly string? _socketPath;

    private FakeServer(Func<FakeSession, Task> script, string? socketPath)
    {
        _socketPath = socketPath;
        if (socketPath is null)
        {
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }
        else
        {
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        }

        _listener.Listen(1);
        _run = RunAsync(script);
    }

    public int Port => _socketPath is null ? ((IPEndPoint)_listener.LocalEndPoint!).Port : 0;

    public static FakeServer Start(Func<FakeSession, Task> script) => new(script, null);

    /// <summary>The same over a Unix domain socket in the temp directory.</summary>
    public static FakeServer StartUnix(Func<FakeSession, Task> script) =>
        new(script, Path.Combine(Path.GetTempPath(), $"sc-fake-{Guid.NewGuid():N}.sock"));

    public MySqlSettings Settings(string password = "secret", MySqlSslMode sslMode = MySqlSslMode.Disabled) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        UnixSocket = _socketPath,
        User = "app",
        Password = password,
        SslMode = sslMode,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        CommandTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Waits for the script and rethrows its assertion failures.</summary>
    public Task Completion => _run;

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        if (_socketPath is not null)
        {
            File.Delete(_socketPath);
        }

        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Completion is awaited by the tests that care about the script's outcome.
        }
    }

    private async Task RunAsync(Func<FakeSession, Task> script)
    {
        using var client = await _listener.AcceptAsync();
        await using var session = new FakeSession(new NetworkStream(client, ownsSocket: false));
        await script(session);
    }
}
