namespace ShadowCopy.Lint.Migrate;

/// <summary>How an online-copy or backfill step ended (its runner's exit code and message), and its estimate in a dry run.</summary>
public sealed record MigrationStepOutcome(int ExitCode, string Outcome, string? Message, TimeSpan? Estimate = null);
