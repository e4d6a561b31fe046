namespace ShadowCopy.IntegrationTests;

/// <summary>PostgreSQL scenarios run one at a time: each brings its own writers, and the machine has 2 cores.</summary>
[CollectionDefinition("postgres", DisableParallelization = true)]
public sealed class PostgresCollection;
