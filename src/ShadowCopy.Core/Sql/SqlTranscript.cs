using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Sql;

/// <summary>Thread-safe, ordered record of the statements a run executed, labelled by step.</summary>
public sealed class SqlTranscript
{
    private readonly List<PlannedStatement> _statements = [];
    private readonly HashSet<(string Step, string Sql)> _seen = [];
    private readonly Lock _gate = new();

    public string Step { get; set; } = "setup";

    /// <summary>Off for real runs: a run of days must not keep every statement in memory.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Stops recording until the returned scope ends (catalog reads are not part of a plan).</summary>
    public IDisposable Pause()
    {
        var was = Enabled;
        Enabled = false;
        return new Resume(this, was);
    }

    /// <summary>
    /// Raised for every statement, recorded or not, with the current step (the journal keeps the
    /// schema-changing ones; see <see cref="SqlClassifier.IsSchemaChange"/>). Handlers must be quick.
    /// </summary>
    public event Action<string, string>? Executed;

    public void Record(string sql)
    {
        Executed?.Invoke(Step, sql);
        if (!Enabled)
        {
            return;
        }

        lock (_gate)
        {
            // A plan shows each distinct statement of a step once (the copy runs the same one per chunk).
            if (_seen.Add((Step, sql)))
            {
                _statements.Add(new PlannedStatement(Step, sql, ExecutedInDryRun: true));
            }
        }
    }

    public IReadOnlyList<PlannedStatement> Snapshot()
    {
        lock (_gate)
        {
            return [.. _statements];
        }
    }

    private sealed class Resume(SqlTranscript transcript, bool enabled) : IDisposable
    {
        public void Dispose() => transcript.Enabled = enabled;
    }
}
