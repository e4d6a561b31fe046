using System.Diagnostics;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Copy;

namespace ShadowCopy.Postgres.Verify;

/// <summary>
/// Chunk checksums (ADR 0004, ADR 0015): at one consistent point, count and hash sum of every
/// chunk, original (cast to the new types) against shadow, computed on two sessions sharing one
/// exported snapshot; mismatching chunks are re-copied (delete the range, copy it again).
/// </summary>
internal sealed class PgChecksumVerifier(PgRun run, PgVerifyPoint point, PgChunkCopier copier) : IChecksumSource, IPacedVerification
{
    /// <summary>The latency guard's pause after each verified chunk (ADR 0033); null: none.</summary>
    public Func<TimeSpan, CancellationToken, Task>? AfterVerifyChunk { get; set; }

    public async Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "verify";
        var ids = chunks ?? Enumerable.Range(0, run.Ledger.Count).ToList();
        await point.TakeAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = run.Snapshot!;
        var twin = run.SnapshotTwin!;
        try
        {
            var mismatched = new List<int>();
            long rows = 0;
            foreach (var id in ids)
            {
                var started = Stopwatch.GetTimestamp();
                var chunk = run.Ledger[id];
                var args = PgChunkCopier.RangeArgs(chunk.Lower, chunk.Upper);
                var hasLower = chunk.Lower is not null;
                var hasUpper = chunk.Upper is not null;
                var sourceQuery = snapshot.QueryAsync(run.Sql.SourceChecksum(hasLower, hasUpper), args, cancellationToken);
                var shadowQuery = twin.QueryAsync(run.Sql.ShadowChecksum(hasLower, hasUpper), args, cancellationToken);
                await Task.WhenAll(sourceQuery, shadowQuery).ConfigureAwait(false);
                var source = (await sourceQuery.ConfigureAwait(false))[0];
                var shadow = (await shadowQuery.ConfigureAwait(false))[0];
                rows += (long)source[0]!;
                if ((long)source[0]! != (long)shadow[0]! || (decimal)source[1]! != (decimal)shadow[1]!)
                {
                    mismatched.Add(id);
                }

                if (AfterVerifyChunk is { } pace)
                {
                    await pace(Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
                }
            }

            await snapshot.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            await twin.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            return new VerifyRoundResult(ids.Count, rows, mismatched);
        }
        catch
        {
            await snapshot.RollbackQuietlyAsync().ConfigureAwait(false);
            await twin.RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "re-copy";
        var main = run.Main;
        foreach (var id in chunks)
        {
            var chunk = run.Ledger[id];
            var args = PgChunkCopier.RangeArgs(chunk.Lower, chunk.Upper);
            await main.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
            try
            {
                await main.ExecuteAsync(run.Sql.DeleteShadowRange(chunk.Lower is not null, chunk.Upper is not null), args, cancellationToken).ConfigureAwait(false);
                await copier.CopyRangeAsync(main, chunk.Lower, chunk.Upper, cancellationToken).ConfigureAwait(false);
                await main.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await main.RollbackQuietlyAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>The verification's statements, for the dry-run plan.</summary>
    public IEnumerable<PlannedStatement> Describe()
    {
        yield return new("verify", $"LOCK TABLE {run.Sql.Source} IN SHARE MODE", false, "SHARE (blocks writes while the log drains), lock_timeout bounded");
        yield return new("verify (per chunk)", run.Sql.SourceChecksum(true, true), false);
        yield return new("verify (per chunk)", run.Sql.ShadowChecksum(true, true), false);
    }
}
