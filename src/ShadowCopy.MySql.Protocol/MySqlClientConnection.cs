using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.MySql.Protocol.Authentication;
using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol;

/// <summary>
/// The replication stream's connection over TCP or a Unix socket: handshake, TLS, authentication, the few
/// statements that set up a dump, then raw commands and packets. Every other SQL session of the provider runs
/// on MySqlConnector (ADR 0022). Not thread-safe: one command at a time.
/// </summary>
internal sealed class MySqlClientConnection : IAsyncDisposable
{
    private const CapabilityFlags ClientCapabilities =
        CapabilityFlags.LongPassword | CapabilityFlags.FoundRows | CapabilityFlags.LongFlag | CapabilityFlags.Protocol41
        | CapabilityFlags.Transactions | CapabilityFlags.SecureConnection | CapabilityFlags.MultiStatements
        | CapabilityFlags.MultiResults | CapabilityFlags.PsMultiResults | CapabilityFlags.PluginAuth
        | CapabilityFlags.PluginAuthLengthEncodedClientData | CapabilityFlags.DeprecateEof;

    private readonly PacketChannel _channel;
    private readonly CapabilityFlags _capabilities;
    private bool _broken;
    private bool _disposed;

    private MySqlClientConnection(PacketChannel channel, InitialHandshakePayload handshake, CapabilityFlags capabilities, bool tls)
    {
        _channel = channel;
        _capabilities = capabilities;
        ServerVersion = handshake.ServerVersion;
        ConnectionId = handshake.ConnectionId;
        IsMariaDb = handshake.IsMariaDb;
        IsTlsActive = tls;
        Status = handshake.Status;
    }

    public string ServerVersion { get; }

    public uint ConnectionId { get; }

    public bool IsMariaDb { get; }

    public bool IsTlsActive { get; }

    /// <summary>Status flags of the last OK/EOF packet.</summary>
    public MySqlServerStatus Status { get; private set; }

    /// <summary>True when sql_mode contains NO_BACKSLASH_ESCAPES (literals must then be escaped by quote doubling only).</summary>
    public bool NoBackslashEscapes => (Status & MySqlServerStatus.NoBackslashEscapes) != 0;

    internal PacketChannel Channel => _channel;

    public static async Task<MySqlClientConnection> OpenAsync(MySqlSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.ConnectTimeout > TimeSpan.Zero)
        {
            timeout.CancelAfter(settings.ConnectTimeout);
        }

        Socket? socket = null;
        try
        {
            EndPoint endPoint;
            if (settings.UnixSocket is { } path)
            {
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                endPoint = new UnixDomainSocketEndPoint(path);
            }
            else
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                endPoint = new DnsEndPoint(settings.Host, settings.Port);
            }

            await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
#pragma warning disable CA2000 // ownership passes to OpenAsync, whose channel disposes the stream on failure and the connection on success
            var stream = new NetworkStream(socket, ownsSocket: true);
#pragma warning restore CA2000
            socket = null;
            return await OpenAsync(stream, settings, settings.UnixSocket is not null, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MySqlTimeoutException($"Connecting to {settings} timed out after {settings.ConnectTimeout}.");
        }
        catch (SocketException ex)
        {
            throw new MySqlIOException($"Cannot connect to {settings}: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new MySqlIOException($"I/O error while connecting to {settings}: {ex.Message}", ex);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>Runs the handshake over an already connected stream (also used with in-process fake servers).</summary>
    internal static async Task<MySqlClientConnection> OpenAsync(Stream stream, MySqlSettings settings, bool isLocalSocket, CancellationToken cancellationToken)
    {
        var logger = settings.LoggerFactory?.CreateLogger<MySqlClientConnection>() ?? (ILogger)NullLogger.Instance;
#pragma warning disable CA2000 // disposed in the catch below on failure; owned by the connection on success
        var channel = new PacketChannel(stream);
#pragma warning restore CA2000
        try
        {
            var first = await channel.ReadPayloadAsync(cancellationToken).ConfigureAwait(false);
            var handshake = InitialHandshakePayload.Parse(first.Span);
            var capabilities = (ClientCapabilities | (settings.Database is null ? 0 : CapabilityFlags.ConnectWithDb)) & (handshake.Capabilities | CapabilityFlags.LongPassword);
            if ((handshake.Capabilities & CapabilityFlags.Protocol41) == 0)
            {
                throw new MySqlProtocolException("The server does not support protocol 4.1.");
            }

            var tls = false;
            if (settings.SslMode != MySqlSslMode.Disabled)
            {
                if ((handshake.Capabilities & CapabilityFlags.Ssl) != 0)
                {
                    capabilities |= CapabilityFlags.Ssl;
                    await channel.WritePayloadAsync(HandshakeResponsePayload.CreateSslRequest(capabilities), cancellationToken).ConfigureAwait(false);
                    var ssl = new SslStream(channel.Stream, leaveInnerStreamOpen: false, TlsCertificateValidator.Create(settings.SslMode, settings.SslCaPath));
                    try
                    {
                        await ssl.AuthenticateAsClientAsync(
                            new SslClientAuthenticationOptions
                            {
                                TargetHost = settings.UnixSocket is null ? settings.Host : "localhost",
                                ClientCertificates = TlsCertificateValidator.ClientCertificates(settings.SslCertPath, settings.SslKeyPath),
                            },
                            cancellationToken).ConfigureAwait(false);
                    }
                    catch (System.Security.Authentication.AuthenticationException ex)
                    {
                        throw new MySqlProtocolException($"TLS handshake failed ({settings.SslMode}): {ex.Message}", ex);
                    }

                    channel.ReplaceStream(ssl);
                    tls = true;
                }
                else if (settings.SslMode == MySqlSslMode.Preferred)
                {
                    Log.TlsFallback(logger);
                }
                else
                {
                    throw new MySqlProtocolException($"SslMode is {settings.SslMode} but the server does not support TLS.");
                }
            }

            // A clear-text password only travels over verified TLS, or over a Unix socket when explicitly allowed.
            var clearTextAllowed = (tls && TlsCertificateValidator.IsVerified(settings.SslMode)) || (isLocalSocket && settings.AllowClearTextPasswordOverUnixSocket);
            var (plugin, response) = AuthenticationExchange.CreateInitialResponse(handshake.AuthPluginName, settings.Password, handshake.Scramble);
            await channel.WritePayloadAsync(
                HandshakeResponsePayload.Create(capabilities, settings.User, response, settings.Database, plugin),
                cancellationToken).ConfigureAwait(false);
            var ok = await AuthenticationExchange.RunAsync(channel, settings, plugin, handshake.Scramble, clearTextAllowed, logger, cancellationToken).ConfigureAwait(false);
            var connection = new MySqlClientConnection(channel, handshake, capabilities, tls) { Status = ok.Status };
            Log.Connected(logger, handshake.ServerVersion, handshake.ConnectionId, settings.UnixSocket is null ? (tls ? "TCP+TLS" : "TCP") : "Unix socket");
            return connection;
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs one statement that returns no rows (the replication setup's SET statements).</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await SendCommandAsync(CommandKind.Query, Encoding.UTF8.GetBytes(sql), cancellationToken).ConfigureAwait(false);
        var payload = await ReadPayloadAsync(cancellationToken).ConfigureAwait(false);
        Status = ParseOkOrThrow(payload.Span).Status;
    }

    /// <summary>
    /// Runs a query and returns the first column of its first row as text (null for SQL NULL or no row). The
    /// stream needs one such value (@@global.binlog_checksum); every other SQL runs on MySqlConnector.
    /// </summary>
    public async Task<string?> ScalarStringAsync(string sql, CancellationToken cancellationToken = default)
    {
        await SendCommandAsync(CommandKind.Query, Encoding.UTF8.GetBytes(sql), cancellationToken).ConfigureAwait(false);
        var first = await ReadPayloadAsync(cancellationToken).ConfigureAwait(false);
        if (first.Length == 0 || first.Span[0] is 0x00 or 0xFF or 0xFB)
        {
            Status = ParseOkOrThrow(first.Span).Status;
            return null;
        }

        // Text resultset: column count, that many column definitions, [EOF], rows, then EOF (or OK under CLIENT_DEPRECATE_EOF).
        var columns = new PacketReader(first.Span).ReadLengthEncodedInteger();
        var skip = columns + ((_capabilities & CapabilityFlags.DeprecateEof) == 0 ? 1UL : 0UL);
        for (var i = 0UL; i < skip; i++)
        {
            await ReadPayloadAsync(cancellationToken).ConfigureAwait(false);
        }

        string? value = null;
        var firstRow = true;
        while (true)
        {
            var payload = await ReadPayloadAsync(cancellationToken).ConfigureAwait(false);
            var span = payload.Span;
            if (span.Length > 0 && span[0] == 0xFF)
            {
                throw ErrorPayload.Parse(span).ToException();
            }

            // A row starts with 0xFE only when its first value is 16 MB or more; the end packet is short.
            if (span.Length > 0 && span[0] == 0xFE && span.Length < 9)
            {
                return value;
            }

            if (firstRow)
            {
                var row = new PacketReader(span);
                value = span[0] == 0xFB ? null : Encoding.UTF8.GetString(row.ReadLengthEncodedBytes());
                firstRow = false;
            }
        }
    }

    /// <summary>Sends COM_QUIT and closes the transport.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_broken)
        {
            try
            {
                _channel.SequenceId = 0;
                using var quitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _channel.WritePayloadAsync(new[] { (byte)CommandKind.Quit }, quitTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or MySqlException)
            {
                // The server may already be gone; closing is all that is left to do.
            }
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Sends a command packet (sequence id reset to 0).</summary>
    internal async ValueTask SendCommandAsync(CommandKind command, ReadOnlyMemory<byte> argument, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        var payload = new byte[argument.Length + 1];
        payload[0] = (byte)command;
        argument.Span.CopyTo(payload.AsSpan(1));
        _channel.SequenceId = 0;
        try
        {
            await _channel.WritePayloadAsync(payload, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            _broken = true;
            throw new MySqlIOException($"Sending {command} failed: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a payload, marking the connection broken on transport failure.</summary>
    internal async ValueTask<ReadOnlyMemory<byte>> ReadPayloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _channel.ReadPayloadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            _broken = true;
            throw new MySqlIOException($"Reading from the server failed: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is MySqlIOException or MySqlProtocolException or FormatException or OperationCanceledException)
        {
            _broken = true;
            throw;
        }
    }

    internal void MarkBroken() => _broken = true;

    private static OkPayload ParseOkOrThrow(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > 0 && payload[0] == 0xFF)
        {
            throw ErrorPayload.Parse(payload).ToException();
        }

        return OkPayload.Parse(payload);
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_broken)
        {
            throw new MySqlIOException("The connection is broken after an earlier transport failure, timeout or protocol error; open a new one.");
        }
    }
}
