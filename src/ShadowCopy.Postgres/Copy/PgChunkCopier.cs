using System.Diagnostics;
using Npgsql;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Model;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Copy;

/// <summary>
/// The sequential copy: the next chunk after the ledger's cursor, read once and inserted into the
/// shadow in its own short statement; then, once the copy is done, the deferred indexes and fresh
/// statistics. Also copies any one key range (re-copy, <c>--threads</c> workers).
/// </summary>
internal sealed class PgChunkCopier(PgRun run) : IChunkCopier
{
    public async Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        var ledger = run.Ledger;
        if (ledger.CopyDone)
        {
            return new ChunkResult(0, true, TimeSpan.Zero);
        }

        run.Transcript.Step = "copy";
        var watch = Stopwatch.StartNew();
        try
        {
            var lower = ledger.CopyCursor;
            var args = new List<object?>();
            if (lower is not null)
            {
                args.AddRange(lower);
            }

            args.Add((long)chunkSize);
            var row = await CopyNextChunkAsync(lower, args, cancellationToken).ConfigureAwait(false);
            var read = (long)row[0]!;
            var rows = (long)row[1]!;
            // Fewer rows than asked: the key space is exhausted, and the last chunk stays open-ended
            // so verification also covers keys inserted above it since (the capture has them).
            string[]? upper = read < chunkSize ? null : row.Skip(2).Select(v => (string)v!).ToArray();
            ledger.Copied(lower, upper);
            return new ChunkResult(rows, upper is null, watch.Elapsed);
        }
        catch (PostgresException error) when (PgErrors.IsRetryable(error))
        {
            throw new RetryableDatabaseException(error.MessageText, error.SqlState, error);
        }
    }

    /// <summary>
    /// Copies with a plain insert, about half the cost of ON CONFLICT's speculative insertion. Rows
    /// are in the shadow ahead of the copy only where the applier put a changed key or a resumed run
    /// copies a chunk again; one index probe tells whether the statement must leave such rows out
    /// (an anti-join, bounded to the range). Anything else that conflicts — another unique index, a
    /// row that arrives after the probe — fails the plain insert whole (nothing is written), and the
    /// chunk is copied with ON CONFLICT DO NOTHING instead: the result is always the one ON CONFLICT
    /// would give.
    /// </summary>
    private async Task<object?[]> CopyNextChunkAsync(string[]? lower, List<object?> args, CancellationToken cancellationToken)
    {
        var hasLower = lower is not null;
        var present = await ShadowHasRowsAsync(run.Main, lower, null, cancellationToken).ConfigureAwait(false);
        try
        {
            return (await run.Main.QueryAsync(run.Sql.CopyNextChunkPlain(hasLower, present), args, cancellationToken).ConfigureAwait(false))[0];
        }
        catch (PostgresException error) when (PgErrors.IsConflict(error))
        {
            return (await run.Main.QueryAsync(run.Sql.CopyNextChunk(hasLower), args, cancellationToken).ConfigureAwait(false))[0];
        }
    }

    /// <summary>--threads: one range, by a plain insert first (see <see cref="CopyNextChunkAsync"/>).</summary>
    public async Task<long> CopyRangeFastAsync(PgSession session, string[]? lower, string[]? upper, CancellationToken cancellationToken)
    {
        var present = await ShadowHasRowsAsync(session, lower, upper, cancellationToken).ConfigureAwait(false);
        try
        {
            return await session.ExecuteAsync(run.Sql.CopyRangePlain(lower is not null, upper is not null, present), RangeArgs(lower, upper), cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error) when (PgErrors.IsConflict(error))
        {
            return await CopyRangeAsync(session, lower, upper, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> ShadowHasRowsAsync(PgSession session, string[]? lower, string[]? upper, CancellationToken cancellationToken) =>
        (await session.QueryAsync(run.Sql.FirstShadowRow(lower is not null, upper is not null), RangeArgs(lower, upper), cancellationToken).ConfigureAwait(false)).Count > 0;

    public async Task<long> CopyRangeAsync(PgSession session, string[]? lower, string[]? upper, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(run.Sql.CopyRange(lower is not null, upper is not null), RangeArgs(lower, upper), cancellationToken).ConfigureAwait(false);

    /// <summary>The parameters of a key range: the lower bound's key values, then the upper bound's.</summary>
    public static List<object?> RangeArgs(string[]? lower, string[]? upper)
    {
        var args = new List<object?>();
        if (lower is not null)
        {
            args.AddRange(lower);
        }

        if (upper is not null)
        {
            args.AddRange(upper);
        }

        return args;
    }

    public async Task FinishCopyAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "finish copy";
        await PgDeferredIndexes.BuildAsync(run, cancellationToken).ConfigureAwait(false);

        // Fresh statistics so the applier's joins and the checksums get sane plans.
        await run.Main.ExecuteAsync($"ANALYZE {run.Sql.Shadow}", null, cancellationToken).ConfigureAwait(false);
    }
}
