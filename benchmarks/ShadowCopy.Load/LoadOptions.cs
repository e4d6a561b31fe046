namespace ShadowCopy.Load;

/// <summary>Command line of the load generator (kept tiny: it is a test tool, not a product).</summary>
internal sealed record LoadOptions(string ConnectionString, string Table, int Workers, int Rate, int MaxId, TimeSpan Duration, string? StopFile, string Profile, string? Control)
{
    public static LoadOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        var host = Value("--host") ?? "127.0.0.1";
        var port = Value("--port") ?? "5432";
        var user = Value("--user") ?? "postgres";
        var database = Value("--database") ?? "postgres";
        var password = Environment.GetEnvironmentVariable("SHADOWCOPY_PASSWORD") ?? Environment.GetEnvironmentVariable("PGPASSWORD");
        var builder = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture),
            Username = user,
            Database = database,
            Password = password,
            ApplicationName = "shadowcopy-load",
            MaxPoolSize = 64,
        };
        return new LoadOptions(
            builder.ConnectionString,
            Value("--table") ?? throw new ArgumentException("--table schema.table is required"),
            int.Parse(Value("--workers") ?? "4", System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Value("--rate") ?? "200", System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Value("--max-id") ?? "1000000", System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(Value("--duration") ?? "3600", System.Globalization.CultureInfo.InvariantCulture)),
            Value("--stop-file"),
            Value("--profile") ?? "orders",
            Value("--control"));
    }
}
