using ShadowCopy.Core.Capture;
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
/// The phases' own seams (copy, capture, verification, cut-over) are the interfaces it extends.
/// </summary>
public interface IAlterBackend : IAsyncDisposable, IChunkCopier, IChangeSource, IChecksumSource, ICutOverStrategy
{
    HelperObjectNames Names { get; }

    /// <summary>Read-only checks; throws <see cref="PreflightRefusedException"/> on refusal.</summary>
    Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken);

    /// <summary>Creates the shadow like the original and applies the ALTER to it.</summary>
    Task CreateShadowAsync(CancellationToken cancellationToken);

    /// <summary>Finishes work deferred until after the copy (e.g. secondary indexes).</summary>
    Task FinishCopyAsync(CancellationToken cancellationToken);

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
