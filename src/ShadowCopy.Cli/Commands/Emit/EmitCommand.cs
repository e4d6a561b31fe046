using System.CommandLine;
using ShadowCopy.Cli.Engines;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Commands.Emit;

/// <summary>Prints a peer tool's command line; connects to nothing and runs nothing.</summary>
internal static class EmitCommand
{
    public static int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        EmitRequest request;
        string tool;
        try
        {
            tool = parse.GetValue(EmitCommandDefinition.Tool)!;
            if (tool is not ("gh-ost" or "pt-osc"))
            {
                throw new FormatException($"emit knows gh-ost and pt-osc, not '{tool}'");
            }

            request = BuildRequest(parse);
        }
        catch (Exception bad) when (bad is FormatException or ShadowCopyException)
        {
            error.WriteLine($"error: {bad.Message}");
            return ExitCodes.UsageError;
        }

        var command = tool == "gh-ost" ? GhostCommandBuilder.Build(request) : PtOscCommandBuilder.Build(request);
        output.WriteLine(command.CommandLine);
        foreach (var note in command.Notes)
        {
            output.WriteLine($"# note: {note}");
        }

        foreach (var missing in command.NoEquivalent)
        {
            output.WriteLine($"# no equivalent: {missing}");
        }

        return ExitCodes.Success;
    }

    internal static EmitRequest BuildRequest(ParseResult parse)
    {
        var dsn = parse.GetValue(EmitCommandDefinition.Dsn)!;
        if (EngineRegistry.TryFor(dsn) is not MySqlEngine || !Uri.TryCreate(dsn, UriKind.Absolute, out var uri))
        {
            throw new FormatException("gh-ost and pt-online-schema-change work on MySQL/MariaDB: --dsn must look like mysql://user@host:port/database");
        }

        if (Uri.UnescapeDataString(uri.UserInfo).Contains(':', StringComparison.Ordinal) || uri.Query.Contains("password=", StringComparison.Ordinal))
        {
            throw new FormatException("--dsn must not contain a password (it would end up in the emitted command line and process lists)");
        }

        var table = MySqlEngine.Instance.ParseTable(parse.GetValue(EmitCommandDefinition.Table)!, dsn);
        var socket = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p[0] == "socket" && p.Length == 2).Select(p => Uri.UnescapeDataString(p[1])).FirstOrDefault();
        var alter = parse.GetValue(EmitCommandDefinition.AlterClauses)!.Trim();
        if (alter.StartsWith("ALTER TABLE", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("--alter takes the clauses after ALTER TABLE name (e.g. \"ADD COLUMN c int\"), as both tools do");
        }

        var user = Uri.UnescapeDataString(uri.UserInfo);
        return new EmitRequest(
            string.IsNullOrEmpty(uri.Host) ? "localhost" : uri.Host,
            uri.IsDefaultPort || uri.Port <= 0 ? 3306 : uri.Port,
            socket,
            string.IsNullOrEmpty(user) ? Environment.UserName : user,
            table.Schema,
            table.Name,
            alter,
            Positive(parse.GetValue(EmitCommandDefinition.ChunkSize), "--chunk-size"),
            Duration(parse.GetValue(EmitCommandDefinition.ChunkTime), "--chunk-time"),
            parse.GetValue(EmitCommandDefinition.MaxLoad),
            parse.GetValue(EmitCommandDefinition.CriticalLoad),
            Duration(parse.GetValue(EmitCommandDefinition.MaxLag), "--max-lag"),
            parse.GetValue(EmitCommandDefinition.Replicas) ?? [],
            parse.GetValue(EmitCommandDefinition.ThrottleFlagFile),
            parse.GetValue(EmitCommandDefinition.PostponeFlagFile),
            Duration(parse.GetValue(EmitCommandDefinition.CutOverLockTimeout), "--cut-over-lock-timeout"),
            Positive(parse.GetValue(EmitCommandDefinition.MaxRowsPerSecond), "--max-rows-per-second"),
            parse.GetValue(EmitCommandDefinition.DropOldTable),
            parse.GetValue(EmitCommandDefinition.Execute));
    }

    private static TimeSpan? Duration(string? text, string option) =>
        text is null ? null
        : DurationParser.TryParse(text, out var value) && value > TimeSpan.Zero ? value
        : throw new FormatException($"{option} must be a duration like 500ms or 2s, not '{text}'");

    private static int? Positive(int? value, string option) =>
        value is null or > 0 ? value : throw new FormatException($"{option} must be positive");
}
