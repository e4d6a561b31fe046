using ShadowCopy.Cli.Engines;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Cli.Tests.Engines;

/// <summary>One place maps a DSN to its engine; every command goes through it.</summary>
public sealed class EngineRegistryTests
{
    [Theory]
    [InlineData("postgres://app@db1:5432/shop", "postgres", "trigger")]
    [InlineData("postgresql://app@db1/shop", "postgres", "trigger")]
    [InlineData("mysql://app@db1:3306/shop", "mysql", "binlog")]
    public void For_mapsTheSchemeToItsEngine(string dsn, string name, string capture)
    {
        var engine = EngineRegistry.For(dsn);

        Assert.Equal(name, engine.Name);
        Assert.Equal(capture, engine.DefaultCapture);
    }

    [Theory]
    [InlineData("")]
    [InlineData("db1:5432/shop")]
    [InlineData("oracle://app@db1/shop")]
    [InlineData("MYSQL://app@db1/shop")]
    [InlineData("mysql:/app@db1/shop")]
    public void For_anythingElse_isAFormatErrorThatSaysTheForms(string dsn)
    {
        var error = Assert.Throws<FormatException>(() => EngineRegistry.For(dsn));

        Assert.Contains("postgres:// or mysql://", error.Message, StringComparison.Ordinal);
        Assert.Null(EngineRegistry.TryFor(dsn));
    }

    [Fact]
    public void ParseTable_followsEachEnginesNamingRules()
    {
        Assert.Equal(new TableName("public", "orders"), EngineRegistry.For("postgres://app@db1/shop").ParseTable("Orders", "postgres://app@db1/shop"));
        Assert.Equal(new TableName("Shop", "Orders"), EngineRegistry.For("mysql://app@db1/Shop").ParseTable("Orders", "mysql://app@db1/Shop"));
    }

    [Fact]
    public void TranslateFailure_turnsNetworkErrorsIntoExit3AndLeavesOthers()
    {
        var engine = EngineRegistry.For("postgres://app@db1/shop");

        var failure = engine.TranslateFailure(new System.Net.Sockets.SocketException(111), "cannot plan on the server");
        Assert.NotNull(failure);
        Assert.Equal(Core.Model.ExitCodes.ConnectionFailed, failure.ExitCode);
        Assert.StartsWith("cannot plan on the server: ", failure.Message, StringComparison.Ordinal);
        Assert.Null(engine.TranslateFailure(new InvalidOperationException("bug"), "x"));
    }
}
