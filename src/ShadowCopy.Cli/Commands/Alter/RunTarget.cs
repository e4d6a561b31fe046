using ShadowCopy.Cli.Engines;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Cli.Commands.Alter;

/// <summary>
/// What a DSN and a --table name designate, read from the text alone (no connection, no password
/// lookup): the engine, database, user and host for the journal and hooks, and the default paths
/// of the control socket and the journal, which <c>shadowcopy ctl</c> must derive the same way.
/// </summary>
internal sealed record RunTarget(string Engine, string Database, string User, string Host, TableName Table)
{
    public static RunTarget Parse(string dsn, string table)
    {
        var engine = EngineRegistry.For(dsn);
        if (!Uri.TryCreate(dsn, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"--dsn is not a valid address (e.g. {engine.Name}://app@db1/shop)");
        }

        var mysql = engine is MySqlEngine;
        var user = Uri.UnescapeDataString(uri.UserInfo);
        var colon = user.IndexOf(':', StringComparison.Ordinal);
        user = colon >= 0 ? user[..colon] : user; // never keep a password, even one that will be refused
        if (user.Length == 0)
        {
            user = mysql ? Environment.UserName : Environment.GetEnvironmentVariable("PGUSER") ?? Environment.UserName;
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 && !mysql)
        {
            database = user; // libpq's default database is the user's name
        }

        var host = string.IsNullOrEmpty(uri.Host) ? "localhost" : uri.Host;
        return new RunTarget(engine.Name, database, user, host, engine.ParseTable(table, dsn));
    }

    public string DefaultSocketPath() => ControlSocketPath.Default(Database, Table.Schema, Table.Name);

    public string DefaultJournalPath() => JournalPath.Default(Database, Table.Schema, Table.Name);

    public RunIdentity Identity(string capture) => new()
    {
        Engine = Engine,
        Database = Database,
        Capture = capture,
        User = User,
        Host = Host,
    };
}
