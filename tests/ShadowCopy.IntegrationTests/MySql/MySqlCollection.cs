using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>MariaDB scenarios run one at a time: each brings its own writers, and the machine has 2 cores.</summary>
[CollectionDefinition("mysql", DisableParallelization = true)]
public sealed class MySqlCollection
{
    static MySqlCollection() => _ = TestServers.RepoRoot;
}
