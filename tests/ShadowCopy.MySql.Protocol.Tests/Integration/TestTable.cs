using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

/// <summary>A per-test table with a unique name, dropped when disposed (also when the test fails).</summary>
internal sealed class TestTable : IAsyncDisposable
{
    private readonly TestSql _connection;

    private TestTable(TestSql connection, string name)
    {
        _connection = connection;
        Name = name;
        Quoted = MySqlEscaping.QuoteIdentifier(name);
    }

    public string Name { get; }

    public string Quoted { get; }

    public static async Task<TestTable> CreateAsync(TestSql connection, string prefix, string columns)
    {
        var table = new TestTable(connection, TestServer.UniqueName(prefix));
        await connection.ExecuteAsync($"CREATE TABLE {table.Quoted} ({columns}) ENGINE=InnoDB");
        return table;
    }

    public async ValueTask DisposeAsync()
    {
        await using var cleanup = await TestServer.OpenAsync();
        await cleanup.ExecuteAsync($"DROP TABLE IF EXISTS {Quoted}");
    }
}
