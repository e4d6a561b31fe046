using System.CommandLine;

namespace ShadowCopy.Cli.Commands.Plan;

/// <summary>The options of <c>shadowcopy plan</c>; the logic is in <see cref="PlanCommand"/>.</summary>
internal static class PlanCommandDefinition
{
    public static readonly Option<string> Dsn = new("--dsn") { Description = $"{DsnHelp.Forms} ({DsnHelp.PasswordSources})", Required = true };
    public static readonly Option<string> Table = new("--table") { Description = "schema.table (PostgreSQL) or table / database.table (MySQL, MariaDB)", Required = true };
    public static readonly Option<string> AlterClauses = new("--alter") { Description = "the clauses that follow ALTER TABLE name", Required = true };
    public static readonly Option<string> Output = new("--output") { Description = "text or json", DefaultValueFactory = _ => "text" };

    public static Command Create()
    {
        var command = new Command("plan", "Ask the server what a change costs (on an empty clone, never the live table) and recommend native DDL, an online copy, or neither.");
        foreach (var option in new Option[] { Dsn, Table, AlterClauses, Output })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => PlanCommand.RunAsync(parse, System.Console.Out, System.Console.Error, cancellationToken));
        return command;
    }
}
