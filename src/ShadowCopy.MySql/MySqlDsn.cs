using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// Parses <c>mysql://user@host:port/db[?socket=…&amp;sslmode=…&amp;sslrootcert=…&amp;sslcert=…&amp;sslkey=…]</c>
/// (TLS files named as libpq names them; also <c>server-public-key-path</c> and <c>get-server-public-key</c>,
/// the mysql client's options for caching_sha2_password without TLS). The password never comes
/// from the command line (process lists, shell history): SHADOWCOPY_PASSWORD, then MYSQL_PWD,
/// then <c>password=</c> in the [client] group of ~/.my.cnf (or MYSQL_OPTION_FILE).
/// </summary>
public static class MySqlDsn
{
    public static MySqlSettings Parse(string dsn, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!Uri.TryCreate(dsn, UriKind.Absolute, out var uri) || uri.Scheme != "mysql")
        {
            throw new ShadowCopyException("--dsn must look like mysql://user@host:port/database", ExitCodes.UsageError);
        }

        var userInfo = Uri.UnescapeDataString(uri.UserInfo);
        if (userInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new ShadowCopyException(
                "--dsn must not contain a password (it would show in process lists). Remove it and set SHADOWCOPY_PASSWORD or MYSQL_PWD, or put it in ~/.my.cnf [client].",
                ExitCodes.UsageError);
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (string.IsNullOrEmpty(database))
        {
            throw new ShadowCopyException("--dsn must name the database: mysql://user@host:port/database", ExitCodes.UsageError);
        }

        var settings = new MySqlSettings
        {
            Host = string.IsNullOrEmpty(uri.Host) ? "localhost" : uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 3306 : uri.Port,
            User = string.IsNullOrEmpty(userInfo) ? environment("USER") ?? Environment.UserName : userInfo,
            Database = database,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            // Every wait on the live table is bounded by lock_wait_timeout / innodb_lock_wait_timeout
            // in the session; this is only the backstop for a server that stops answering.
            CommandTimeout = TimeSpan.FromMinutes(10),
        };

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            var value = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
            settings = key switch
            {
                "socket" => settings with { UnixSocket = value },
                "sslmode" => settings with { SslMode = SslMode(value) },
                "sslrootcert" => settings with { SslCaPath = DsnFiles.Existing(key, value) },
                "sslcert" => settings with { SslCertPath = DsnFiles.Existing(key, value) },
                "sslkey" => settings with { SslKeyPath = DsnFiles.Existing(key, value) },
                "server-public-key-path" => settings with { ServerRsaPublicKeyPath = DsnFiles.Existing(key, value) },
                "get-server-public-key" => settings with { AllowPublicKeyRetrieval = Flag(key, value) },
                "password" => throw new ShadowCopyException("--dsn must not contain a password; use SHADOWCOPY_PASSWORD, MYSQL_PWD or ~/.my.cnf.", ExitCodes.UsageError),
                _ => throw new ShadowCopyException($"Unknown --dsn parameter '{key}' (supported: socket, sslmode, sslrootcert, sslcert, sslkey, server-public-key-path, get-server-public-key).", ExitCodes.UsageError),
            };
        }

        if ((settings.SslCertPath is null) != (settings.SslKeyPath is null))
        {
            throw new ShadowCopyException("--dsn needs sslcert and sslkey together (the client certificate and its private key).", ExitCodes.UsageError);
        }

        var password = environment("SHADOWCOPY_PASSWORD") ?? environment("MYSQL_PWD")
            ?? OptionFilePassword(environment("MYSQL_OPTION_FILE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".my.cnf"));
        return password is null ? settings : settings with { Password = password };
    }

    /// <summary>The DSN as safe to print: no password, ever.</summary>
    public static string Describe(MySqlSettings settings) => $"mysql://{settings.User}@{settings.Host}:{settings.Port}/{settings.Database}";

    /// <summary><c>password=</c> of the [client] group, as the mysql client reads it (quotes optional).</summary>
    internal static string? OptionFilePassword(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var inClient = false;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('['))
            {
                inClient = line.Equals("[client]", StringComparison.OrdinalIgnoreCase);
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (!inClient || eq < 0 || !line[..eq].Trim().Equals("password", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            return value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0] ? value[1..^1] : value;
        }

        return null;
    }

    private static bool Flag(string key, string value) => value switch
    {
        "true" or "1" or "" => true,
        "false" or "0" => false,
        _ => throw new ShadowCopyException($"--dsn {key} must be true or false.", ExitCodes.UsageError),
    };

    private static MySqlSslMode SslMode(string value) => value switch
    {
        "disabled" or "disable" => MySqlSslMode.Disabled,
        "preferred" or "prefer" => MySqlSslMode.Preferred,
        "required" or "require" => MySqlSslMode.Required,
        "verify-ca" or "verify_ca" => MySqlSslMode.VerifyCA,
        "verify-full" or "verify_identity" => MySqlSslMode.VerifyFull,
        _ => throw new ShadowCopyException($"Unknown sslmode '{value}' in --dsn.", ExitCodes.UsageError),
    };
}
