namespace ShadowCopy.Lint;

/// <summary>What the file has done before the statement being checked.</summary>
internal sealed class LintContext(LintTarget target)
{
    public LintTarget Target { get; } = target;

    public HashSet<string> CreatedTables { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every statement of the file, for rules about the migration as a whole (expand and contract together, data with schema, BEGIN without COMMIT).</summary>
    public IReadOnlyList<LintStatement> Statements { get; init; } = [];

    public bool InTransaction { get; set; }

    /// <summary>Existing tables altered since the open transaction began: their locks are held until COMMIT.</summary>
    public HashSet<string> LockedInTransaction { get; } = new(StringComparer.OrdinalIgnoreCase);

    public bool LockTimeoutSet { get; set; }

    public bool LockTimeoutReported { get; set; }

    /// <summary>A table created earlier in the same file is empty and unseen by the application, so locks and rewrites on it cost nothing.</summary>
    public bool IsNew(LintStatement statement) => statement.Table is { } table && CreatedTables.Contains(table);
}
