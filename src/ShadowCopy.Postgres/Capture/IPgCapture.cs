using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Postgres.Capture;

/// <summary>
/// A PostgreSQL change source feeding the shadow: triggers with a change log, or a pgoutput slot.
/// The backend drives it; every method is a bounded step.
/// </summary>
internal interface IPgCapture : IAsyncDisposable
{
    /// <summary>Receives the key of every row an apply touched, once it is committed (delta verification, ADR 0019).</summary>
    DirtyKeySet? AppliedKeys { get; set; }

    /// <summary>Installs the capture; every change committed afterwards reaches <see cref="ApplyAsync"/>.</summary>
    Task StartAsync(PgSession main, CancellationToken cancellationToken);

    /// <summary>
    /// Re-attaches to the capture a killed run installed (<c>--resume</c>): the trigger's change log is
    /// the queue and needs nothing; a slot streams again from its confirmed position, which never
    /// passes what the shadow holds (ADR 0007, ADR 0011). The caller has checked the objects exist.
    /// </summary>
    Task ResumeAsync(PgSession main, CancellationToken cancellationToken);

    /// <summary>
    /// Applies up to about <paramref name="maxChanges"/> captured changes to the shadow. With
    /// <paramref name="ownTransaction"/> it commits them (and only then acknowledges them to the
    /// source); otherwise it runs inside the caller's transaction (the cut-over's).
    /// </summary>
    Task<long> ApplyAsync(PgSession session, int maxChanges, bool ownTransaction, CancellationToken cancellationToken);

    /// <summary>
    /// Returns once every change committed before this call is available to (and, as far as it
    /// was needed to get there, applied by) <see cref="ApplyAsync"/>. The marker is written on
    /// <paramref name="emitOn"/> (which may hold a lock that stops writes to the original); while
    /// waiting, captured changes keep being applied on <paramref name="applyOn"/>, so a full queue
    /// can never keep the fence from arriving.
    /// </summary>
    Task FenceAsync(PgSession emitOn, PgSession applyOn, bool applyInOwnTransaction, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Changes captured but not applied (may be an estimate); may throw when a guard trips.</summary>
    Task<long> BacklogAsync(PgSession main, CancellationToken cancellationToken);

    /// <summary>The position a checkpoint records for a resume (a slot's acknowledged LSN), or null when the capture is its own durable queue.</summary>
    string? Position { get; }

    /// <summary>A short human description of the capture's lag (e.g. retained WAL), or null.</summary>
    string? Detail { get; }

    /// <summary>Statements run inside the cut-over transaction, before the renames.</summary>
    IEnumerable<string> CutOverStatements();

    /// <summary>Removes the capture after a successful swap.</summary>
    Task AfterSwapAsync(PgSession main, CancellationToken cancellationToken);

    /// <summary>The capture's statements, for the dry-run plan.</summary>
    IEnumerable<PlannedStatement> Describe();
}
