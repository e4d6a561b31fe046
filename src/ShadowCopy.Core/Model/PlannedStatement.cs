namespace ShadowCopy.Core.Model;

/// <summary>One SQL statement of the plan: run for real, run in the dry run, or only described.</summary>
public sealed record PlannedStatement(string Step, string Sql, bool ExecutedInDryRun, string? Lock = null);
