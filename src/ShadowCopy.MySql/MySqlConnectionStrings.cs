using ShadowCopy.MySql.Protocol;
using DriverSslMode = MySqlConnector.MySqlSslMode;
using MySqlConnectionStringBuilder = MySqlConnector.MySqlConnectionStringBuilder;
using MySqlGuidFormat = MySqlConnector.MySqlGuidFormat;

namespace ShadowCopy.MySql;

/// <summary>
/// The MySqlConnector connection string for one <see cref="MySqlSettings"/>. Every option that would change
/// what a statement returns is pinned here, not left to the driver's defaults (ADR 0022).
/// </summary>
internal static class MySqlConnectionStrings
{
    public static string For(MySqlSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // Every session is opened from this string, so the driver knows MariaDB's client_ed25519 before the first connect.
        MySqlEd25519Plugin.EnsureRegistered();
        var builder = new MySqlConnectionStringBuilder
        {
            Server = settings.UnixSocket ?? settings.Host,
            Port = (uint)settings.Port,
            UserID = settings.User,
            Password = settings.Password,
            Database = settings.Database ?? string.Empty,
            SslMode = SslMode(settings.SslMode),
            ConnectionTimeout = Seconds(settings.ConnectTimeout),
            DefaultCommandTimeout = Seconds(settings.CommandTimeout),

            // After a KILL QUERY (cancellation or command timeout) the server has this long to end the
            // statement before the driver gives the connection up (the old client's grace period).
            CancellationTimeout = (int)Seconds(settings.CancellationGracePeriod),

            // A run holds a few long sessions whose state matters (LOCK TABLES, GET_LOCK, an open
            // transaction, session variables). Closing must end that state on the server at once, and a
            // reused connection must never carry another session's; so no pool (ADR 0022).
            Pooling = false,

            // Affected rows mean matched rows (CLIENT_FOUND_ROWS), as they did with our client: the
            // applier and copy count rows an UPDATE found even when it changed nothing.
            UseAffectedRows = false,

            // Values come back as the server wrote them, never reinterpreted: zero dates as MySqlDateTime
            // (not an exception, not DateTime.MinValue), TINYINT(1) as a number, CHAR(36)/BINARY(16) as
            // strings/bytes rather than Guids.
            AllowZeroDateTime = true,
            ConvertZeroDateTime = false,
            TreatTinyAsBoolean = false,
            GuidFormat = MySqlGuidFormat.None,

            // Statements are our own text: user variables (@x) pass through to the server untouched.
            AllowUserVariables = true,
            AllowPublicKeyRetrieval = settings.AllowPublicKeyRetrieval,
            ApplicationName = "shadowcopy",
        };

        if (settings.SslCaPath is { } ca)
        {
            builder.SslCa = ca;
        }

        if (settings.SslCertPath is { } cert)
        {
            builder.SslCert = cert;
        }

        if (settings.SslKeyPath is { } key)
        {
            builder.SslKey = key;
        }

        if (settings.ServerRsaPublicKeyPath is { } rsa)
        {
            builder.ServerRsaPublicKeyFile = rsa;
        }

        if (settings.UnixSocket is not null)
        {
            builder.ConnectionProtocol = MySqlConnector.MySqlConnectionProtocol.UnixSocket;
        }

        return builder.ConnectionString;
    }

    /// <summary>Whole seconds, rounded up; zero (or infinite) disables the timeout.</summary>
    private static uint Seconds(TimeSpan value) =>
        value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan ? 0u : (uint)Math.Ceiling(value.TotalSeconds);

    private static DriverSslMode SslMode(MySqlSslMode mode) => mode switch
    {
        MySqlSslMode.Disabled => DriverSslMode.None,
        MySqlSslMode.Preferred => DriverSslMode.Preferred,
        MySqlSslMode.Required => DriverSslMode.Required,
        MySqlSslMode.VerifyCA => DriverSslMode.VerifyCA,
        MySqlSslMode.VerifyFull => DriverSslMode.VerifyFull,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };
}
