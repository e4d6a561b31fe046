namespace ShadowCopy.MySql.Protocol.Tests.Integration;

/// <summary>Binlog tests switch a global server variable; they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BinlogCollection
{
    public const string Name = "binlog";
}
