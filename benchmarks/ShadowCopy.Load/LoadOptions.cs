using System.Globalization;

namespace ShadowCopy.Load;

/// <summary>Command line of the load generator (kept tiny: it is a test tool, not a product).</summary>
internal sealed record LoadOptions(
    string Engine,
    string Host,
    int Port,
    string User,
    string Database,
    string? Password,
    string Table,
    int Workers,
    int Rate,
    int MaxId,
    TimeSpan Duration,
    string? StopFile,
    string Profile,
    string? Control,
    string? SlowLog,
    double SlowMs)
{
    public static LoadOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        var engine = Value("--engine") ?? "postgres";
        if (engine is not ("postgres" or "mysql"))
        {
            throw new ArgumentException("--engine must be postgres or mysql");
        }

        var mysql = engine == "mysql";
        // The password never comes from the command line (it would show in the process list).
        var password = Environment.GetEnvironmentVariable("SHADOWCOPY_PASSWORD")
            ?? Environment.GetEnvironmentVariable(mysql ? "MYSQL_PWD" : "PGPASSWORD");
        return new LoadOptions(
            engine,
            Value("--host") ?? "127.0.0.1",
            int.Parse(Value("--port") ?? (mysql ? "3306" : "5432"), CultureInfo.InvariantCulture),
            Value("--user") ?? (mysql ? "root" : "postgres"),
            Value("--database") ?? (mysql ? "test" : "postgres"),
            password,
            Value("--table") ?? throw new ArgumentException("--table schema.table is required"),
            int.Parse(Value("--workers") ?? "4", CultureInfo.InvariantCulture),
            int.Parse(Value("--rate") ?? "200", CultureInfo.InvariantCulture),
            int.Parse(Value("--max-id") ?? "1000000", CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(Value("--duration") ?? "3600", CultureInfo.InvariantCulture)),
            Value("--stop-file"),
            Value("--profile") ?? "orders",
            Value("--control"),
            Value("--slow-log"),
            double.Parse(Value("--slow-ms") ?? "10", CultureInfo.InvariantCulture));
    }
}
