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

/// <summary>Server side of one connection.</summary>
internal sealed class FakeSession : IAsyncDisposable
{
    public FakeSession(Stream stream)
    {
        Stream = stream;
        // Unbuffered reads: a buffered channel could swallow the TLS ClientHello that follows an SSLRequest.
        Channel = new PacketChannel(stream, readBufferSize: 1);
    }

    public Stream Stream { get; }

    public PacketChannel Channel { get; private set; }

    public static readonly byte[] Scramble = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

    public Task SendAsync(byte[] payload) => Channel.WritePayloadAsync(payload, CancellationToken.None).AsTask();

    public async Task<byte[]> ReceiveAsync() => (await Channel.ReadPayloadAsync(CancellationToken.None)).ToArray();

    /// <summary>Sends a v10 handshake with the given plugin and capabilities (sequence id 0).</summary>
    public Task SendHandshakeAsync(string plugin, bool ssl = false, string version = "8.0.36", CapabilityFlags without = CapabilityFlags.None)
    {
        Channel.SequenceId = 0;
        return SendAsync(Packets.Handshake(version, plugin, Scramble, ssl, without));
    }

    /// <summary>Handshake and OK for any password, then ready for commands.</summary>
    public async Task AcceptAsync(CapabilityFlags without = CapabilityFlags.None)
    {
        await SendHandshakeAsync("mysql_native_password", without: without);
        await ReceiveAsync();
        await SendAsync(Packets.Ok());
    }

    /// <summary>Reads the next command (the client restarts sequence ids at 0).</summary>
    public Task<byte[]> ReceiveCommandAsync()
    {
        Channel.SequenceId = 0;
        return ReceiveAsync();
    }

    /// <summary>Switches to TLS after an SSLRequest, as the server side.</summary>
    public async Task UpgradeToTlsAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var ssl = new System.Net.Security.SslStream(Stream, leaveInnerStreamOpen: true);
        await ssl.AuthenticateAsServerAsync(certificate);
        var sequence = Channel.SequenceId;
        Channel = new PacketChannel(ssl) { SequenceId = sequence };
    }

    public async ValueTask DisposeAsync() => await Stream.DisposeAsync();
}
