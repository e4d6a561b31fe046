namespace ShadowCopy.Lint.Migrate;

/// <summary>Journal event kinds of a migration, besides the run-started/run-finished lines every run writes.</summary>
public static class MigrationEvents
{
    /// <summary>A statement starts, finishes or fails: number, method, outcome.</summary>
    public const string Step = "migrate-step";
}
