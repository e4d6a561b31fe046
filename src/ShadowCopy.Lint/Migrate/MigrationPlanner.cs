using System.Globalization;
using System.Text.RegularExpressions;
using ShadowCopy.Lint;
using ShadowCopy.Lint.Migration;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Lint.Migrate;

/// <summary>
/// Chooses each statement's method from the server's own answer: ALTER TABLE through the plan
/// machinery (the ALTER on an empty clone, sizes, a sampled copy rate), index statements online,
/// batchable UPDATEs as a backfill, the rest natively with a bounded lock wait. Returns a refusal
/// (one sentence) for what migrate cannot run safely.
/// </summary>
public sealed partial class MigrationPlanner(IMigrationBackend backend, IMigrationSteps steps, MigrationOptions options, LintTarget target)
{
    /// <summary>The step, or the refusal sentence when migrate will not run the statement.</summary>
    public async Task<(MigrationStep? Step, string? Refusal)> PlanAsync(MigrationStatement statement, bool afterEarlierStatements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var at = $"statement {statement.Number} ({statement.File} line {statement.Line})";
        switch (statement.Kind)
        {
            case StatementKind.Set when statement.SetsTimeout:
                return (Step(statement, MigrationMethod.Skip, string.Empty, "none", null, "migrate bounds every lock wait itself (--lock-timeout, --cut-over-lock-timeout, --lock-wait-timeout)"), null);
            case StatementKind.Set:
                return (null, $"{at} is a SET that would reach only one of migrate's sessions; put the setting in the DSN or the server's defaults.");
            case StatementKind.Begin or StatementKind.Commit or StatementKind.Rollback:
                return (null, $"{at} is {statement.Head}: migrate gives every statement its own transaction (or none, for CONCURRENTLY and the online copy); remove BEGIN/COMMIT, and split what must commit together into a file of its own for your usual runner.");
            case StatementKind.AlterTable when statement.Table is null || statement.AlterClauses is null:
                return (null, $"{at} is an ALTER TABLE migrate cannot read the table and clauses of.");
            case StatementKind.AlterTable:
                return await AlterAsync(statement, at, afterEarlierStatements, cancellationToken).ConfigureAwait(false);
            case StatementKind.CreateIndex or StatementKind.DropIndex:
                return (await IndexAsync(statement, cancellationToken).ConfigureAwait(false), null);
            case StatementKind.Update when statement.UpdateSet is null || statement.Table is null:
                return (null, $"{at} is an UPDATE migrate cannot batch: only UPDATE table SET … [WHERE …] (no alias, FROM, JOIN, ORDER BY, LIMIT or RETURNING) runs as a backfill.");
            case StatementKind.Update:
                return await BackfillAsync(statement, at, cancellationToken).ConfigureAwait(false);
            default:
                return (Step(statement, MigrationMethod.Native, statement.Text, NativeLock(null), null, "no online method applies; run as written with a bounded lock wait"), null);
        }
    }

    private async Task<(MigrationStep?, string?)> AlterAsync(MigrationStatement statement, string at, bool afterEarlierStatements, CancellationToken cancellationToken)
    {
        var table = TableOf(backend, statement);
        var review = await ChangeReview.RunAsync(backend.Planner, table, statement.Table!, statement.AlterClauses!, options.Dsn, cancellationToken).ConfigureAwait(false);
        var plan = review.Plan;
        if (plan is null || plan.Verdict == PlanVerdict.Refuse)
        {
            if (afterEarlierStatements)
            {
                return (Step(statement, MigrationMethod.DecidedWhenRun, statement.Text, "—", null, "the server can judge it only after the statements before it have run; planned again then"), null);
            }

            var why = plan?.Reason ?? review.PlanFailure!.Message.Trim().TrimEnd('.');
            return (null, $"{at}: {why}.");
        }

        var probe = plan.Input.Probe;
        var rewrites = probe.Cost is DdlCost.Rewrite or DdlCost.InplaceRebuild;
        if (plan.Verdict == PlanVerdict.OnlineCopy || (rewrites && plan.EstimatedCopyDuration > options.NativeUnder))
        {
            var reason = plan.Verdict == PlanVerdict.OnlineCopy ? plan.Reason : $"{plan.Reason}; but that is longer than --native-under {Seconds(options.NativeUnder)}, so the online copy";
            return (Step(statement, MigrationMethod.OnlineCopy, statement.AlterClauses!, $"brief lock at the cut-over only (--cut-over-lock-timeout, retried); {probe.LockMode ?? "no long lock"} natively", plan.EstimatedCopyDuration, reason), null);
        }

        var estimate = probe.Cost == DdlCost.MetadataOnly ? TimeSpan.Zero : plan.EstimatedCopyDuration;
        return (Step(statement, MigrationMethod.Native, plan.NativeStatement!.Trim().TrimEnd(';'), NativeLock(probe.LockMode), estimate, plan.Reason), null);
    }

    private async Task<MigrationStep> IndexAsync(MigrationStatement statement, CancellationToken cancellationToken)
    {
        long? rows = statement.TableName is not null ? await backend.EstimatedRowsAsync(TableOf(backend, statement), cancellationToken).ConfigureAwait(false) : null;
        var estimate = statement.Kind == StatementKind.CreateIndex && rows is { } r ? TimeSpan.FromSeconds(r / PlanAdvisor.AssumedRowsPerSecond) : (TimeSpan?)null;
        if (target.IsPostgres)
        {
            var sql = statement.Concurrently ? statement.Text : IndexHead().Replace(statement.Text, "$0 CONCURRENTLY", 1);
            return Step(statement, MigrationMethod.ConcurrentIndex, sql, "SHARE UPDATE EXCLUSIVE: reads and writes continue; waits for transactions older than the build", estimate, "PostgreSQL builds or drops the index without blocking writes, outside a transaction");
        }

        var online = AlgorithmClause().IsMatch(statement.Text) ? statement.Text : statement.Text + " ALGORITHM=INPLACE LOCK=NONE";
        return Step(statement, MigrationMethod.OnlineIndex, online, $"LOCK=NONE: writes continue; a metadata lock at start and end (lock_wait_timeout {WholeSeconds(options.LockTimeout)} s, retried)", estimate, "InnoDB builds the index in place while writes continue");
    }

    private async Task<(MigrationStep?, string?)> BackfillAsync(MigrationStatement statement, string at, CancellationToken cancellationToken)
    {
        var table = TableOf(backend, statement);
        var sample = await steps.BackfillAsync(table, statement.UpdateSet!, statement.UpdateWhere, execute: false, resume: false, cancellationToken).ConfigureAwait(false);
        if (sample.ExitCode != ShadowCopy.Core.Model.ExitCodes.Success)
        {
            return (null, $"{at}: {sample.Message}");
        }

        return (Step(statement, MigrationMethod.Backfill, $"SET {statement.UpdateSet}{(statement.UpdateWhere is null ? string.Empty : $" WHERE {statement.UpdateWhere}")}", "row locks of one short batch at a time (--lock-wait-timeout, retried smaller)", sample.Estimate, "a large UPDATE in key-range batches, each its own short transaction, resumable"), null);
    }

    /// <summary>The table the statement names, its schema defaulted as the engine does.</summary>
    internal static TableName TableOf(IMigrationBackend backend, MigrationStatement statement) =>
        new(statement.TableSchema ?? backend.DefaultSchema, statement.TableName ?? throw new InvalidOperationException($"statement {statement.Number} names no table"));

    private string NativeLock(string? mode) => target.IsPostgres
        ? $"{mode ?? "as the statement takes"}, lock_timeout {(long)options.LockTimeout.TotalMilliseconds} ms × {options.LockAttempts} attempts"
        : $"metadata lock, lock_wait_timeout {WholeSeconds(options.LockTimeout)} s × {options.LockAttempts} attempts";

    private static MigrationStep Step(MigrationStatement statement, MigrationMethod method, string sql, string lockText, TimeSpan? estimate, string reason) =>
        new(statement, method, sql, lockText, estimate, reason);

    private static string WholeSeconds(TimeSpan value) => Math.Max(1, Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    [GeneratedRegex(@"^\s*(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IndexHead();

    [GeneratedRegex(@"\bALGORITHM\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AlgorithmClause();
}
