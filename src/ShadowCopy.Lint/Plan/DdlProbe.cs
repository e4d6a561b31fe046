namespace ShadowCopy.Lint.Plan;

/// <summary>The server's answer for the ALTER on the clone: the cost, the lock it took (PostgreSQL), and each attempt as tried.</summary>
public sealed record DdlProbe(DdlCost Cost, string? LockMode, string? ServerError, IReadOnlyList<string> Attempts);
