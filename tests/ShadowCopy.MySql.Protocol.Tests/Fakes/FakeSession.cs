using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Tests.Fakes;

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
