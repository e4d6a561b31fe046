using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Core.Backfill;

/// <summary>What a backfill was asked to do. Immutable: built once by the CLI, read by the runner and the backends.</summary>
public sealed record BackfillOptions
{
    public required TableName Table { get; init; }

    /// <summary>The assignments of each batch's UPDATE: <c>col = expr[, …]</c>.</summary>
    public required string Set { get; init; }

    /// <summary>The rows still to do (each batch updates only those); null: every row of the range.</summary>
    public string? Where { get; init; }

    /// <summary>
    /// True (backfill): rows still matching <see cref="Where"/> at the end are rows not done, and
    /// the report fails on them. False (a migration's <c>UPDATE … WHERE</c>): the condition only
    /// selects rows, and may well stay true after the SET.
    /// </summary>
    public bool WhereIsRemaining { get; init; } = true;

    /// <summary>A condition that is true for a drifted row (counted at the end); null: no drift check.</summary>
    public string? Verify { get; init; }

    /// <summary>
    /// Run control shared with <c>alter</c> (throttling, rate limit, load, lag, panic file, chunk-size
    /// bounds and target time): the same options record feeds the same <see cref="Throttling.ThrottleGate"/>
    /// and <see cref="Control.RunControl"/>. Its <see cref="AlterOptions.Execute"/> and
    /// <see cref="AlterOptions.Resume"/> are the backfill's.
    /// </summary>
    public required AlterOptions Run { get; init; }

    /// <summary>Longest wait for a row or metadata lock per batch (MySQL innodb_lock_wait_timeout/lock_wait_timeout, PostgreSQL lock_timeout).</summary>
    public TimeSpan LockWaitTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts per batch on lock timeout or deadlock before the run fails.</summary>
    public int BatchAttempts { get; init; } = 6;

    public bool Execute => Run.Execute;

    public bool Resume => Run.Resume;

    /// <summary>One line for the journal and the hooks (no secrets: user SQL only).</summary>
    public string Describe() => $"SET {Set}{(Where is null ? string.Empty : $" WHERE {Where}")}";
}
