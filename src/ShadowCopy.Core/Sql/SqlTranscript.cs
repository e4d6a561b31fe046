using ShadowCopy.Core.Engine;

namespace ShadowCopy.Core.Sql;

/// <summary>Thread-safe, ordered record of the statements a run executed, labelled by step.</summary>
public sealed class SqlTranscript
{
    private readonly List<PlannedStatement> _statements = [];
    private readonly Lock _gate = new();

    public string Step { get; set; } = "setup";

    /// <summary>Off for real runs: a run of days must not keep every statement in memory.</summary>
    public bool Enabled { get; set; } = true;

    public void Record(string sql)
    {
        if (!Enabled)
        {
            return;
        }

        lock (_gate)
        {
            _statements.Add(new PlannedStatement(Step, sql, ExecutedInDryRun: true));
        }
    }

    public IReadOnlyList<PlannedStatement> Snapshot()
    {
        lock (_gate)
        {
            return [.. _statements];
        }
    }
}
