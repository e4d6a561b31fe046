using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Postgres;

/// <summary>
/// Parses <c>postgres://user@host:port/db[?sslmode=…&amp;sslrootcert=…&amp;sslcert=…&amp;sslkey=…]</c> (libpq's
/// names for the CA file and the client certificate and key). The password is never taken from the
/// command line: SHADOWCOPY_PASSWORD, then PGPASSWORD, then the passfile (PGPASSFILE or
/// ~/.pgpass) through Npgsql. A DSN carrying a password is refused so it cannot leak into
/// process lists or shell history.
/// </summary>
public static class PgDsn
{
    public static NpgsqlConnectionStringBuilder Parse(string dsn, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!Uri.TryCreate(dsn, UriKind.Absolute, out var uri) || (uri.Scheme != "postgres" && uri.Scheme != "postgresql"))
        {
            throw new ShadowCopyException("--dsn must look like postgres://user@host:port/database", ExitCodes.UsageError);
        }

        var userInfo = Uri.UnescapeDataString(uri.UserInfo);
        if (userInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new ShadowCopyException(
                "--dsn must not contain a password (it would show in process lists). Remove it and set SHADOWCOPY_PASSWORD or PGPASSWORD, or use ~/.pgpass.",
                ExitCodes.UsageError);
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = string.IsNullOrEmpty(uri.Host) ? "localhost" : uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Username = string.IsNullOrEmpty(userInfo) ? environment("PGUSER") ?? Environment.UserName : userInfo,
            Database = string.IsNullOrEmpty(database) ? null : database,
            ApplicationName = "shadowcopy",
            CommandTimeout = 0,
            Timeout = 15,
            KeepAlive = 30,
            IncludeErrorDetail = false,
            Pooling = false,
        };

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            var value = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
            switch (key)
            {
                case "sslmode":
                    builder.SslMode = value switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new ShadowCopyException($"Unknown sslmode '{value}' in --dsn.", ExitCodes.UsageError),
                    };
                    break;
                case "sslrootcert":
                    builder.RootCertificate = DsnFiles.Existing(key, value);
                    break;
                case "sslcert":
                    builder.SslCertificate = DsnFiles.Existing(key, value);
                    break;
                case "sslkey":
                    builder.SslKey = DsnFiles.Existing(key, value);
                    break;
                case "password":
                    throw new ShadowCopyException("--dsn must not contain a password; use SHADOWCOPY_PASSWORD, PGPASSWORD or ~/.pgpass.", ExitCodes.UsageError);
                default:
                    throw new ShadowCopyException($"Unknown --dsn parameter '{key}' (supported: sslmode, sslrootcert, sslcert, sslkey).", ExitCodes.UsageError);
            }
        }

        if ((builder.SslCertificate is null) != (builder.SslKey is null))
        {
            throw new ShadowCopyException("--dsn needs sslcert and sslkey together (the client certificate and its private key).", ExitCodes.UsageError);
        }

        var password = environment("SHADOWCOPY_PASSWORD") ?? environment("PGPASSWORD");
        if (!string.IsNullOrEmpty(password))
        {
            builder.Password = password;
        }
        else
        {
            var passfile = environment("PGPASSFILE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pgpass");
            if (File.Exists(passfile))
            {
                builder.Passfile = passfile;
            }
        }

        return builder;
    }

    /// <summary>The DSN as safe to print: no password, ever.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
}
