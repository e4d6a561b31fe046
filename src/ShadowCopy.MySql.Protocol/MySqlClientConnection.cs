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
/// One MySQL/MariaDB session over TCP or a Unix socket: handshake, TLS, authentication and the text protocol.
/// Not thread-safe: one command at a time.
/// </summary>
public sealed class MySqlClientConnection : IAsyncDisposable
{
    private const CapabilityFlags ClientCapabilities =
        CapabilityFlags.LongPassword | CapabilityFlags.FoundRows | CapabilityFlags.LongFlag | CapabilityFlags.Protocol41
        | CapabilityFlags.Transactions | CapabilityFlags.SecureConnection | CapabilityFlags.MultiStatements
        | CapabilityFlags.MultiResults | CapabilityFlags.PsMultiResults | CapabilityFlags.PluginAuth
        | CapabilityFlags.PluginAuthLengthEncodedClientData | CapabilityFlags.DeprecateEof;

    private readonly PacketChannel _channel;
    private readonly MySqlSettings _settings;
    private readonly ILogger _logger;
    private readonly CapabilityFlags _capabilities;
    private bool _broken;
    private bool _disposed;

    private MySqlClientConnection(PacketChannel channel, MySqlSettings settings, ILogger logger, InitialHandshakePayload handshake, CapabilityFlags capabilities, bool tls)
    {
        _channel = channel;
        _settings = settings;
        _logger = logger;
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

    public MySqlSettings Settings => _settings;

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
            var stream = new NetworkStream(socket, ownsSocket: true);
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
        var channel = new PacketChannel(stream);
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
                            new SslClientAuthenticationOptions { TargetHost = settings.UnixSocket is null ? settings.Host : "localhost" },
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
            var connection = new MySqlClientConnection(channel, settings, logger, handshake, capabilities, tls) { Status = ok.Status };
            Log.Connected(logger, handshake.ServerVersion, handshake.ConnectionId, settings.UnixSocket is null ? (tls ? "TCP+TLS" : "TCP") : "Unix socket");
            return connection;
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs SQL (possibly several statements) and returns every result, including row-less ones.</summary>
    public Task<IReadOnlyList<MySqlResultSet>> QueryMultipleAsync(string sql, CancellationToken cancellationToken = default) =>
        RunCommandAsync(sql, ct => ReadResultsAsync(ct), cancellationToken);

    /// <summary>Runs SQL and returns its first result set that has columns (or the first result when none has).</summary>
    public async Task<MySqlResultSet> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        var results = await QueryMultipleAsync(sql, cancellationToken).ConfigureAwait(false);
        foreach (var result in results)
        {
            if (result.Columns.Count > 0)
            {
                return result;
            }
        }

        return results[0];
    }

    /// <summary>Runs statements whose rows are not needed; affected rows are summed over all statements.</summary>
    public async Task<MySqlExecuteResult> ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        var results = await QueryMultipleAsync(sql, cancellationToken).ConfigureAwait(false);
        ulong affected = 0;
        var warnings = 0;
        foreach (var result in results)
        {
            affected += result.AffectedRows;
            warnings += result.Warnings;
        }

        var last = results[^1];
        return new MySqlExecuteResult(affected, last.LastInsertId, warnings, last.Status, last.Info);
    }

    /// <summary>Reads one scalar value of the first row of the first result set (null when there is no row).</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken = default)
    {
        var result = await QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        return result.Rows.Count == 0 ? null : result.Rows[0].GetValue(0);
    }

    public Task PingAsync(CancellationToken cancellationToken = default) =>
        RunSimpleCommandAsync(CommandKind.Ping, ReadOnlyMemory<byte>.Empty, cancellationToken);

    public Task ChangeDatabaseAsync(string database, CancellationToken cancellationToken = default) =>
        RunSimpleCommandAsync(CommandKind.InitDb, Encoding.UTF8.GetBytes(database), cancellationToken);

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

    private async Task RunSimpleCommandAsync(CommandKind command, ReadOnlyMemory<byte> argument, CancellationToken cancellationToken)
    {
        await RunAsync(
            async ct =>
            {
                await SendCommandAsync(command, argument, ct).ConfigureAwait(false);
                var payload = await ReadPayloadAsync(ct).ConfigureAwait(false);
                var ok = ParseOkOrThrow(payload.Span);
                Status = ok.Status;
                return ok;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private Task<IReadOnlyList<MySqlResultSet>> RunCommandAsync(string sql, Func<CancellationToken, Task<IReadOnlyList<MySqlResultSet>>> read, CancellationToken cancellationToken) =>
        RunAsync(
            async ct =>
            {
                await SendCommandAsync(CommandKind.Query, Encoding.UTF8.GetBytes(sql), ct).ConfigureAwait(false);
                return await read(ct).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>
    /// Runs one command. Cancellation and the command timeout do not abort the socket mid-packet: they send
    /// KILL QUERY over a side connection and let the server end the command with an error, so the
    /// connection stays usable; only when the server does not answer within the grace period is it abandoned.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        cancellationToken.ThrowIfCancellationRequested();
        using var io = new CancellationTokenSource();
        using var killer = new QueryKiller(this, io);
        using var userRegistration = cancellationToken.Register(static state => ((QueryKiller)state!).Trigger(timedOut: false), killer);
        using var timer = _settings.CommandTimeout > TimeSpan.Zero ? new Timer(static state => ((QueryKiller)state!).Trigger(timedOut: true), killer, _settings.CommandTimeout, Timeout.InfiniteTimeSpan) : null;
        T result;
        try
        {
            result = await body(io.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MySqlServerException or OperationCanceledException or MySqlIOException)
        {
            killer.Stop();
            if (!killer.Triggered)
            {
                throw;
            }

            await killer.WaitAsync().ConfigureAwait(false);
            if (ex is not MySqlServerException)
            {
                _broken = true;
            }

            ThrowCancelled(killer, cancellationToken, ex);
            throw;
        }

        // No kill may start after this point, and one already started must finish before the next command runs.
        killer.Stop();
        await killer.WaitAsync().ConfigureAwait(false);
        if (killer.Triggered)
        {
            // The command finished before the kill took effect; still report the cancellation asked for.
            ThrowCancelled(killer, cancellationToken, null);
        }

        return result;
    }

    private void ThrowCancelled(QueryKiller killer, CancellationToken cancellationToken, Exception? inner)
    {
        if (killer.TimedOut)
        {
            throw inner is null
                ? new MySqlTimeoutException($"The command exceeded the timeout of {_settings.CommandTimeout}.")
                : new MySqlTimeoutException($"The command exceeded the timeout of {_settings.CommandTimeout}.", inner);
        }

        throw new OperationCanceledException("The command was cancelled.", inner, cancellationToken);
    }

    internal async Task KillQueryAsync()
    {
        Log.KillQuery(_logger, ConnectionId);
        var side = _settings with { CommandTimeout = TimeSpan.Zero, ConnectTimeout = _settings.CancellationGracePeriod };
        var connection = await OpenAsync(side, CancellationToken.None).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"KILL QUERY {ConnectionId}"), CancellationToken.None).ConfigureAwait(false);
        }
    }

    internal void LogKillFailure(Exception exception) => Log.KillQueryFailed(_logger, ConnectionId, exception);

    private async Task<IReadOnlyList<MySqlResultSet>> ReadResultsAsync(CancellationToken cancellationToken)
    {
        var reader = new ResultSetReader(ReadPayloadAsync, (_capabilities & CapabilityFlags.DeprecateEof) != 0, status => Status = status);
        return await reader.ReadAllAsync(cancellationToken).ConfigureAwait(false);
    }

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
