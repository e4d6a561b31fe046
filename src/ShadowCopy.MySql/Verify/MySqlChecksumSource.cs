using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Capture;
using ShadowCopy.MySql.Copy;

namespace ShadowCopy.MySql.Verify;

/// <summary>
/// Chunk verification (<see cref="IChecksumSource"/>, ADR 0018, 0019): 64-bit row hashes per chunk
/// over the shared columns, old against new, in one consistent snapshot that the capture mode opens;
/// a mismatching chunk is re-copied by the copier.
/// </summary>
internal sealed class MySqlChecksumSource(MySqlRun run, IMySqlCapture capture, MySqlChunkCopier copier) : IChecksumSource, IPacedVerification
{
    private MySqlStatements Sql => run.Statements;

    /// <summary>The latency guard's pause after each verified chunk (ADR 0033); null: none.</summary>
    public Func<TimeSpan, CancellationToken, Task>? AfterVerifyChunk { get; set; }

    public async Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "verify";
        var snapshot = run.Snapshot ??= await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        var ids = chunks ?? Enumerable.Range(0, run.Ledger.Count).ToList();

        // Binlog mode: two sessions open the same snapshot under the verification lock, so each
        // chunk's source and shadow checksums run at once. Trigger mode takes no lock, so both
        // sides share one snapshot.
        MySqlSession? twin = null;
        var excludePending = false;
        if (run.VerifyPointOverride is not null)
        {
            await run.VerifyPointOverride(snapshot, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            (twin, excludePending) = await capture.OpenVerificationAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var mismatched = new List<int>();
            long rows = 0;
            foreach (var id in ids)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var chunk = run.Ledger[id];
                var sourceQuery = snapshot.QueryAsync(Sql.SourceChecksum(chunk.Lower, chunk.Upper, excludePending), cancellationToken);
                var shadowQuery = twin?.QueryAsync(Sql.ShadowChecksum(chunk.Lower, chunk.Upper), cancellationToken);
                var source = (await sourceQuery.ConfigureAwait(false)).Rows[0];
                var shadow = (await (shadowQuery ?? snapshot.QueryAsync(Sql.ShadowChecksum(chunk.Lower, chunk.Upper, excludePending), cancellationToken)).ConfigureAwait(false)).Rows[0];
                rows += source.GetInt64(0);
                if (Enumerable.Range(0, 3).Any(i => source.GetString(i) != shadow.GetString(i)))
                {
                    mismatched.Add(id);
                }

                if (AfterVerifyChunk is { } pace)
                {
                    await pace(System.Diagnostics.Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
                }
            }

            await snapshot.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            if (twin is not null)
            {
                await twin.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            }

            return new VerifyRoundResult(ids.Count, rows, mismatched);
        }
        catch
        {
            await snapshot.ResetQuietlyAsync().ConfigureAwait(false);
            if (twin is not null)
            {
                await twin.ResetQuietlyAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken) => copier.RecopyChunksAsync(chunks, cancellationToken);

    /// <summary>
    /// Opens a consistent snapshot on each of <paramref name="snapshots"/> at a point where the shadow
    /// equals the original: in binlog mode under the verification lock after a drain (<see cref="MySqlVerifyPoint"/>);
    /// otherwise any snapshot (with our trigger capture, the caller leaves out the keys the log holds there).
    /// </summary>
    internal async Task TakeConsistentPointAsync(IReadOnlyList<MySqlSession> snapshots, CancellationToken cancellationToken)
    {
        if (run.VerifyPointOverride is not null)
        {
            foreach (var snapshot in snapshots)
            {
                await run.VerifyPointOverride(snapshot, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await capture.TakeConsistentPointAsync(snapshots, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The dry run's lines for the verification.</summary>
    public IEnumerable<PlannedStatement> Describe()
    {
        yield return new("verify (per chunk)", Sql.SourceChecksum(["<lower>"], ["<upper>"]), false);
        yield return new("verify (per chunk)", Sql.ShadowChecksum(["<lower>"], ["<upper>"]), false);
    }
}
