namespace ShadowCopy.Core.Journal;

/// <summary>
/// One entry of the run's audit trail. <see cref="Kind"/> is a stable kebab-case name (see
/// <see cref="RunEventKinds"/>); <see cref="Data"/> holds JSON-serialisable scalars only. Never put
/// a password or a full connection string in it.
/// </summary>
public sealed record RunEvent(string Kind, DateTimeOffset Time, IReadOnlyDictionary<string, object?> Data)
{
    public static RunEvent Create(string kind, params (string Key, object? Value)[] data) =>
        new(kind, DateTimeOffset.UtcNow, data.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal));
}

/// <summary>The kinds of <see cref="RunEvent"/> the runner emits.</summary>
public static class RunEventKinds
{
    /// <summary>table, alter, engine, capture, execute, resume, user, host, tool_version, options (redacted).</summary>
    public const string RunStarted = "run-started";

    /// <summary>from, to, detail.</summary>
    public const string Phase = "phase";

    /// <summary>step, sql: every schema-changing statement executed (CREATE/ALTER/DROP/RENAME/LOCK/slot…).</summary>
    public const string Ddl = "ddl";

    /// <summary>gate (e.g. verify-round, verify-passed, catch-up), with its figures.</summary>
    public const string Validation = "validation";

    /// <summary>reason (null when throttling ends), throttled (bool).</summary>
    public const string Throttle = "throttle";

    /// <summary>attempt, max, succeeded, lock_timed_out, lock_wait_ms, error.</summary>
    public const string CutOverAttempt = "cut-over-attempt";

    /// <summary>command, reply, source (control socket).</summary>
    public const string OperatorCommand = "operator-command";

    /// <summary>hook, path, exit_code, duration_ms, output (truncated).</summary>
    public const string Hook = "hook";

    /// <summary>phase, rows_copied, changes_applied (on resume: what the checkpoint held).</summary>
    public const string Resumed = "resumed";

    /// <summary>alter --revertible, right after the swap: revertible_since, behind_rows, held_bytes, misfits, table (ADR 0031).</summary>
    public const string Revertible = "revertible";

    /// <summary>exit_code, outcome, message, rows_copied, changes_applied, duration_ms.</summary>
    public const string RunFinished = "run-finished";
}
