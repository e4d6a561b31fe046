using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Engine;

/// <summary>
/// One engine's implementation of the phases of an online ALTER. The <see cref="AlterRunner"/>
/// drives it; every method is a bounded step so the runner can interleave copy, apply, throttle,
/// status and cancellation. Methods that touch the live table are never called in a dry run.
/// </summary>
public interface IAlterBackend : IAsyncDisposable
{
    HelperObjectNames Names { get; }

    /// <summary>Read-only checks; throws <see cref="PreflightRefusedException"/> on refusal.</summary>
    Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken);

    /// <summary>Creates the shadow like the original and applies the ALTER to it.</summary>
    Task CreateShadowAsync(CancellationToken cancellationToken);

    /// <summary>Starts change capture on the live table (triggers, slot…).</summary>
    Task StartCaptureAsync(CancellationToken cancellationToken);

    /// <summary>Copies the next key-range chunk of about <paramref name="chunkSize"/> rows.</summary>
    Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken);

    /// <summary>Applies up to <paramref name="maxChanges"/> captured changes; returns how many were applied.</summary>
    Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken);

    /// <summary>Captured changes not yet applied (may be an estimate).</summary>
    Task<long> GetBacklogAsync(CancellationToken cancellationToken);

    /// <summary>Finishes work deferred until after the copy (e.g. secondary indexes).</summary>
    Task FinishCopyAsync(CancellationToken cancellationToken);

    /// <summary>Checksums the given chunks (null: all) of both tables in one consistent snapshot.</summary>
    Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken);

    /// <summary>Deletes the shadow's rows of these chunks and copies them again from the original.</summary>
    Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken);

    /// <summary>
    /// One bounded cut-over attempt. A lock timeout must leave the original serving. Inside the lock,
    /// after the final drain, the keys of <paramref name="verification"/> are compared before the swap
    /// (more than its budget: release and report <see cref="CutOverAttempt.NeedsVerification"/>).
    /// </summary>
    Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken);

    /// <summary>Work owed after a successful swap (validate constraints, drop helpers, drop old table).</summary>
    Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken);

    /// <summary>Removes every helper object of this run (capture, shadow); never the original table.</summary>
    Task CleanupAsync(CancellationToken cancellationToken);

    /// <summary>Statements of the phases a dry run does not execute, for the plan.</summary>
    IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps();

    /// <summary>
    /// The failure an engine error stands for when the runner did not expect it, e.g. a value the
    /// new column type cannot hold (exit 7); null leaves it an internal error (exit 1).
    /// </summary>
    ShadowCopyException? ClassifyFailure(Exception error) => null;

    /// <summary>Statements the backend executed so far (for the dry-run transcript).</summary>
    IReadOnlyList<PlannedStatement> ExecutedStatements { get; }

    /// <summary>The transcript every session of the run reports to (the journal listens to it); null if none.</summary>
    SqlTranscript? Transcript => null;
}
