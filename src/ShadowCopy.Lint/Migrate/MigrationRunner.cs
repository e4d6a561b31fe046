using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint;
using ShadowCopy.Lint.Migration;
using ShadowCopy.Lint.Plan;

namespace ShadowCopy.Lint.Migrate;

/// <summary>
/// Drives <c>shadowcopy migrate</c> (docs/adr/0032-migrate.md): lint and plan the whole file first
/// (refusing before anything changes), then, with --execute, run the statements in order, each by
/// its method, recording progress in the checkpoint after each; stop at the first failure, at
/// --pause-before, or on Ctrl+C, leaving the checkpoint that --resume continues from.
/// </summary>
public sealed class MigrationRunner(IMigrationBackend backend, IMigrationSteps steps, MigrationOptions options, IStatusSink sink, IRunObserver? observer = null)
{
    /// <summary>Errors whose hazard is the lock or rewrite of running the statement natively: migrate asks the server and chooses an online method instead.</summary>
    public static readonly IReadOnlySet<string> ResolvedByMethod = new HashSet<string>(StringComparer.Ordinal)
    {
        "add-column-default-rewrite", "add-serial-column", "add-auto-increment-column", "add-stored-generated-column", "algorithm-copy-or-lock",
        "change-column-type", "convert-charset", "table-rewrite-option", "create-index-non-concurrent", "drop-index-non-concurrent", "unbatched-backfill",
    };

    private readonly Stopwatch _clock = new();

    public async Task<MigrationResult> RunAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        var result = await RunCoreAsync(cancellationToken).ConfigureAwait(false) with { Duration = _clock.Elapsed };
        Emit(RunEventKinds.RunFinished, ("exit_code", result.ExitCode), ("outcome", result.Outcome), ("message", result.Message), ("done", result.Done.Count), ("not_done", result.NotDone.Count), ("duration_ms", (long)result.Duration.TotalMilliseconds));
        return result;
    }

    private async Task<MigrationResult> RunCoreAsync(CancellationToken cancellationToken)
    {
        var target = await backend.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var statements = MigrationFile.Split(options.Files, target.Dialect);
        Emit(RunEventKinds.RunStarted, ("command", "migrate"), ("files", string.Join(", ", options.Files.Select(f => f.File))), ("statements", statements.Count), ("execute", options.Execute), ("resume", options.Resume));
        if (statements.Count == 0)
        {
            return new MigrationResult { ExitCode = ExitCodes.UsageError, Outcome = "refused", Message = "The migration has no statements." };
        }

        if (options.PauseBefore is { } pause && (pause < 1 || pause > statements.Count))
        {
            return new MigrationResult { ExitCode = ExitCodes.UsageError, Outcome = "refused", Message = $"--pause-before must name a statement from 1 to {statements.Count}." };
        }

        var id = Id(statements);
        var checkpoint = options.Execute ? await backend.ReadCheckpointAsync(id, cancellationToken).ConfigureAwait(false) : null;
        if (options.Execute && !options.Resume && checkpoint is not null)
        {
            return new MigrationResult { ExitCode = ExitCodes.Leftovers, Outcome = "refused", Message = $"An earlier run of this migration stopped after statement {checkpoint.Done} of {checkpoint.Statements}: continue it with --execute --resume, or forget it with `shadowcopy cleanup --migrations`. Nothing was changed." };
        }

        if (options.Resume && checkpoint is null)
        {
            return new MigrationResult { ExitCode = ExitCodes.ResumeNotPossible, Outcome = "refused", Message = "--resume: no checkpoint of this migration (the same files, unchanged) on the server; a finished migration removes it. Nothing was changed." };
        }

        var planner = new MigrationPlanner(backend, steps, options, target);
        var refusals = Lint(target);
        var plan = new List<MigrationStep>();
        foreach (var statement in statements)
        {
            if (statement.Number <= (checkpoint?.Done ?? 0))
            {
                // Done by the run this one resumes: the server now answers for the changed table.
                plan.Add(new MigrationStep(statement, MigrationMethod.DoneBefore, string.Empty, "—", null, "done by an earlier run of this migration"));
                continue;
            }

            var earlier = plan.Any(s => s.Method is not (MigrationMethod.Skip or MigrationMethod.DoneBefore));
            var (step, refusal) = await planner.PlanAsync(statement, earlier, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                refusals.Add(refusal);
            }
            else
            {
                plan.Add(step!);
            }
        }

        if (refusals.Count > 0)
        {
            return new MigrationResult
            {
                ExitCode = ExitCodes.MigrationRefused,
                Outcome = "refused",
                Message = $"Refused: {refusals.Count} problem{(refusals.Count == 1 ? string.Empty : "s")} in the migration; nothing was changed.",
                Steps = plan,
                Refusals = refusals,
            };
        }

        if (!options.Execute)
        {
            return new MigrationResult { ExitCode = ExitCodes.Success, Outcome = "dry-run", Message = "Dry run: nothing was changed. Add --execute to run the migration.", Steps = plan, NotDone = [.. plan.Select(s => s.Number)] };
        }

        return await ExecuteAsync(plan, planner, id, checkpoint, cancellationToken).ConfigureAwait(false);
    }

    private async Task<MigrationResult> ExecuteAsync(List<MigrationStep> plan, MigrationPlanner planner, string id, MigrationCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        int start;
        if (checkpoint is not null)
        {
            start = checkpoint.Done;
            sink.OnMessage($"resuming after statement {start} of {plan.Count}");
            Emit(RunEventKinds.Resumed, ("done", start));
        }
        else
        {
            start = 0;
            checkpoint = new MigrationCheckpoint(id, string.Join(", ", options.Files.Select(f => Path.GetFileName(f.File))), plan.Count, 0);
            await backend.WriteCheckpointAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        }

        var executed = new List<MigrationStep>(plan);
        for (var k = start; k < plan.Count; k++)
        {
            var step = plan[k];
            if (options.PauseBefore == step.Number && !(options.Resume && k == start))
            {
                Emit(MigrationEvents.Step, ("statement", step.Number), ("outcome", "paused"));
                return Stopped(ExitCodes.MigrationPaused, "paused", $"Paused before statement {step.Number} (--pause-before): statements 1–{k} are done. Continue with --execute --resume.", executed, k, null, null);
            }

            Emit(MigrationEvents.Step, ("statement", step.Number), ("method", MigrationStep.MethodName(step.Method)), ("outcome", "started"), ("sql", step.Statement.Text));
            sink.OnMessage($"statement {step.Number}/{plan.Count} ({MigrationStep.MethodName(step.Method)}): {step.Statement.Head}");
            MigrationStepOutcome outcome;
            try
            {
                if (step.Method is MigrationMethod.DecidedWhenRun || (step.Method is MigrationMethod.Native or MigrationMethod.OnlineCopy && step.Statement.Kind == StatementKind.AlterTable && k > 0))
                {
                    // The server's answer for this ALTER is the one after the statements before it ran.
                    var (replanned, refusal) = await planner.PlanAsync(step.Statement, afterEarlierStatements: false, cancellationToken).ConfigureAwait(false);
                    if (refusal is not null)
                    {
                        Emit(MigrationEvents.Step, ("statement", step.Number), ("outcome", "failed"), ("error", refusal));
                        return Stopped(ExitCodes.MigrationStepFailed, "failed", $"Statement {step.Number} failed: {refusal}", executed, k, step.Number, ExitCodes.AlterRejected);
                    }

                    step = executed[k] = replanned!;
                }

                outcome = await RunStepAsync(step, options.Resume && k == start, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                outcome = new MigrationStepOutcome(ExitCodes.Cancelled, "cancelled", "cancelled");
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                outcome = new MigrationStepOutcome(failure is ShadowCopyException sc ? sc.ExitCode : ExitCodes.AlterRejected, "failed", failure.Message.Trim().TrimEnd('.'));
            }

            if (outcome.ExitCode != ExitCodes.Success)
            {
                Emit(MigrationEvents.Step, ("statement", step.Number), ("method", MigrationStep.MethodName(step.Method)), ("outcome", outcome.Outcome), ("exit_code", outcome.ExitCode), ("error", outcome.Message));
                var code = outcome.ExitCode is ExitCodes.Cancelled or ExitCodes.Aborted ? outcome.ExitCode : ExitCodes.MigrationStepFailed;
                return Stopped(code, code == ExitCodes.MigrationStepFailed ? "failed" : outcome.Outcome, $"Statement {step.Number} ({MigrationStep.MethodName(step.Method)}) {(code == ExitCodes.MigrationStepFailed ? "failed" : "stopped")}: {outcome.Message?.Trim().TrimEnd('.')}. Statements 1–{k} are done; {step.Number}–{plan.Count} are not. Fix the cause and continue with --execute --resume.", executed, k, step.Number, outcome.ExitCode);
            }

            Emit(MigrationEvents.Step, ("statement", step.Number), ("method", MigrationStep.MethodName(step.Method)), ("outcome", "done"));
            checkpoint = checkpoint with { Done = k + 1 };
            await backend.WriteCheckpointAsync(checkpoint, CancellationToken.None).ConfigureAwait(false);
        }

        await backend.DropCheckpointAsync(id, CancellationToken.None).ConfigureAwait(false);
        return new MigrationResult { ExitCode = ExitCodes.Success, Outcome = "completed", Message = $"Migration complete: {plan.Count - start} statement{(plan.Count - start == 1 ? string.Empty : "s")} run{(start > 0 ? $" after the {start} done before" : string.Empty)}.", Steps = executed, Done = [.. executed.Select(s => s.Number)] };
    }

    private async Task<MigrationStepOutcome> RunStepAsync(MigrationStep step, bool resume, CancellationToken cancellationToken)
    {
        var done = new MigrationStepOutcome(ExitCodes.Success, "done", null);
        switch (step.Method)
        {
            case MigrationMethod.Skip:
                return done;
            case MigrationMethod.Native:
                await backend.RunNativeAsync(step.Sql, options.LockTimeout, options.LockAttempts, cancellationToken).ConfigureAwait(false);
                return done;
            case MigrationMethod.ConcurrentIndex or MigrationMethod.OnlineIndex:
                await backend.RunIndexAsync(step, options.LockTimeout, options.LockAttempts, cancellationToken).ConfigureAwait(false);
                return done;
            case MigrationMethod.OnlineCopy:
                return await steps.OnlineCopyAsync(MigrationPlanner.TableOf(backend, step.Statement), step.Sql, resume, cancellationToken).ConfigureAwait(false);
            case MigrationMethod.Backfill:
                return await steps.BackfillAsync(MigrationPlanner.TableOf(backend, step.Statement), step.Statement.UpdateSet!, step.Statement.UpdateWhere, execute: true, resume, cancellationToken).ConfigureAwait(false);
            default:
                throw new InvalidOperationException($"statement {step.Number} has no method");
        }
    }

    /// <summary>Lint errors, one sentence each, except those the chosen methods resolve.</summary>
    private List<string> Lint(LintTarget target)
    {
        var linter = new Linter(ChangeReview.LintConfig);
        return [.. options.Files
            .SelectMany(f => linter.Lint(f.File, f.Sql, target))
            .Where(f => f.Severity == LintSeverity.Error && !ResolvedByMethod.Contains(f.RuleId))
            .Select(f => $"{f.File} line {f.Line}: [{f.RuleId}] {f.Message.Trim().TrimEnd('.')}.")];
    }

    private static MigrationResult Stopped(int exitCode, string outcome, string message, List<MigrationStep> steps, int doneCount, int? failed, int? stepExitCode) => new()
    {
        ExitCode = exitCode,
        Outcome = outcome,
        Message = message,
        Steps = steps,
        Done = [.. steps.Take(doneCount).Select(s => s.Number)],
        NotDone = [.. steps.Skip(doneCount).Select(s => s.Number)],
        FailedStatement = failed,
        StepExitCode = stepExitCode,
    };

    /// <summary>The migration's identity: a hash of its statements in order (comments and spacing between them aside), so --resume continues only the very same migration.</summary>
    private static string Id(IReadOnlyList<MigrationStatement> statements)
    {
        var text = string.Join("\u0000", statements.Select(s => s.Text));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    private void Emit(string kind, params (string Key, object? Value)[] data) => RunNotifications.Emit(observer, sink, kind, data);
}
