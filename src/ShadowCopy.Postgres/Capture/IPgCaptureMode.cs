using ShadowCopy.Postgres.Model;

namespace ShadowCopy.Postgres.Capture;

/// <summary>
/// One capture mode (trigger or logical) as the rest of the run sees it: what it checks before
/// anything exists, which index identifies rows, how its change source is built, what a resume must
/// find, and the two properties other phases depend on. The run holds one; nothing else branches on
/// the mode.
/// </summary>
internal interface IPgCaptureMode
{
    /// <summary>"trigger" or "logical", as the checkpoint and the reverse capture record it.</summary>
    string Name { get; }

    /// <summary>
    /// Whether a change still queued can be told from the catalog (the trigger's change log), so the
    /// delta verification needs no lock; otherwise it compares at a verification point (ADR 0019).
    /// </summary>
    bool SeesPendingKeys { get; }

    /// <summary>Whether removing the capture after a failure takes a lock on the original (DROP TRIGGER).</summary>
    bool CleanupLocksTable { get; }

    /// <summary>Read-only checks of the server and the table for this mode; refuses before anything exists.</summary>
    Task PreflightAsync(PgSession main, PgTable source, bool needsNewSlot, CancellationToken cancellationToken);

    /// <summary>The unique index that identifies rows for this mode instead of the key, or null.</summary>
    string? KeyIndex(PgTable source);

    /// <summary>A change source for the run's statements (a new one whenever the statements are rebuilt).</summary>
    IPgCapture Create(PgRun run, PgStatements sql);

    /// <summary>Refuses (exit 20) unless every capture object of a checkpointed run exists and can still deliver changes.</summary>
    Task CheckResumableAsync(PgRun run, string restartAdvice, CancellationToken cancellationToken);
}
