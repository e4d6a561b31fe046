using Microsoft.Extensions.Logging;

namespace ShadowCopy.MySql.Protocol;

/// <summary>Immutable connection options (no DSN parsing: the provider maps its own configuration onto this).</summary>
public sealed record MySqlSettings
{
    public string Host { get; init; } = "localhost";

    public int Port { get; init; } = 3306;

    /// <summary>When set, connect over this Unix domain socket instead of TCP.</summary>
    public string? UnixSocket { get; init; }

    public string User { get; init; } = string.Empty;

    public string Password { get; init; } = string.Empty;

    public string? Database { get; init; }

    public MySqlSslMode SslMode { get; init; } = MySqlSslMode.Preferred;

    /// <summary>PEM file of the CA to trust for <see cref="MySqlSslMode.VerifyCA"/> / <see cref="MySqlSslMode.VerifyFull"/> (default: system store).</summary>
    public string? SslCaPath { get; init; }

    /// <summary>PEM file of the client certificate presented during the TLS handshake (with <see cref="SslKeyPath"/>).</summary>
    public string? SslCertPath { get; init; }

    /// <summary>PEM file of the private key of <see cref="SslCertPath"/>.</summary>
    public string? SslKeyPath { get; init; }

    /// <summary>PEM file of the server's RSA public key, for caching_sha2_password / sha256_password without TLS.</summary>
    public string? ServerRsaPublicKeyPath { get; init; }

    /// <summary>The server's RSA public key (PEM) for caching_sha2_password full authentication without TLS.</summary>
    public string? ServerRsaPublicKey { get; init; }

    /// <summary>Allow asking the server for its RSA public key (exposed to a man in the middle; off by default).</summary>
    public bool AllowPublicKeyRetrieval { get; init; }

    /// <summary>
    /// Send the password in clear over a Unix socket when the server asks for it (mysql_clear_password, or
    /// caching_sha2_password full authentication, which MySQL expects in clear over local sockets). Off by
    /// default: without it a clear-text password only ever travels over verified TLS.
    /// </summary>
    public bool AllowClearTextPasswordOverUnixSocket { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Per-command timeout; <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for the server to answer after a KILL QUERY before the connection is abandoned.</summary>
    public TimeSpan CancellationGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Never prints the password.</summary>
    public override string ToString() =>
        UnixSocket is null
            ? $"{User}@{Host}:{Port}/{Database} (ssl={SslMode})"
            : $"{User}@unix:{UnixSocket}/{Database} (ssl={SslMode})";
}
