namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>A schema of its own for one test, dropped (with everything in it) at the end.</summary>
internal sealed class PgSchemaScope : IAsyncDisposable
{
    private PgSchemaScope(string name) => Name = name;

    public string Name { get; }

    public string Q => PgServer.Q(Name);

    public static async Task<PgSchemaScope> CreateAsync(string? name = null)
    {
        var scope = new PgSchemaScope(name ?? "it_" + Guid.NewGuid().ToString("N")[..10]);
        await PgServer.ExecAsync($"CREATE SCHEMA {scope.Q}");
        return scope;
    }

    public string Table(string table) => $"{Q}.{PgServer.Q(table)}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgServer.ExecAsync($"DROP SCHEMA IF EXISTS {Q} CASCADE");
        }
        catch (InvalidOperationException)
        {
            // server gone: the test already failed for that reason
        }
    }
}
