using System.Diagnostics;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Capture;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Copy;

/// <summary>
/// The sequential copy (<see cref="IChunkCopier"/>): the next key range of about a chunk's rows,
/// copied on the server with <c>INSERT IGNORE … SELECT</c> in its own transaction; the re-copy of a
/// range; and the lock-free copy's tombstones (docs/adr/0017-lock-free-binlog-copy.md).
/// </summary>
internal sealed class MySqlChunkCopier(MySqlRun run, IMySqlCapture capture) : IChunkCopier
{
    private bool _lockFreeCopy;
    private bool _tombstones;
    private Action? _tombstonesDone;

    private MySqlSession Main => run.MainSession;

    private MySqlStatements Sql => run.Statements;

    private ChunkLedger Ledger => run.Ledger;

    /// <summary>
    /// The copy reads the original without locks (READ COMMITTED consistent reads), so no writer
    /// waits on it. Trigger capture: always — the applier re-copies every key changed since, on this
    /// same session after the chunk (ADR 0020), and --threads workers copy in rounds between applies.
    /// Binlog capture with one copy session: the applier's deletes are kept as tombstones and settled
    /// after each chunk (docs/adr/0017-lock-free-binlog-copy.md); with --threads the applier runs
    /// beside the copy and the chunks keep their shared locks.
    /// </summary>
    /// <param name="tombstones">Whether the applier's deletes are kept as tombstones (binlog capture, one copy session).</param>
    /// <param name="tombstonesDone">Called once the last chunk settled its tombstones.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    public async Task StartLockFreeCopyAsync(bool tombstones, Action? tombstonesDone, CancellationToken cancellationToken)
    {
        _tombstones = tombstones;
        _tombstonesDone = tombstonesDone;
        _lockFreeCopy = capture.CopiesWithoutLocks || _tombstones;
        if (!_lockFreeCopy)
        {
            return;
        }

        await Main.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", cancellationToken).ConfigureAwait(false);
        if (_tombstones)
        {
            await Main.ExecuteAsync(Sql.CreateTombstones(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes the shadow rows of a range whose key has a tombstone and that the original no longer
    /// has, after waiting (shared locks) for writers still holding such rows; then forgets the range's
    /// tombstones. One transaction on the copy's session.
    /// </summary>
    internal static async Task SettleTombstonesAsync(MySqlSession session, MySqlStatements sql, string[]? lower, string[]? upper, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
        await session.QueryAsync(sql.LockTombstonedSourceRows(lower, upper), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(sql.DeleteTombstonedRows(lower, upper), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(sql.ClearTombstones(lower, upper), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After a lock-free chunk: removes rows of its range whose delete the applier ran before the copy could see it.</summary>
    private async Task SettleChunkAsync(string[]? lower, string[]? upper, CancellationToken cancellationToken)
    {
        await SettleTombstonesAsync(Main, Sql, lower, upper, cancellationToken).ConfigureAwait(false);
        if (upper is null)
        {
            // The last chunk: nothing is left for the copy to read, so no delete can be overtaken any more.
            _tombstonesDone?.Invoke();
            _tombstones = false;
            _lockFreeCopy = false;
            await Main.ExecuteAsync(Sql.DropTombstones(), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken) => NextChunkAsync(chunkSize, copy: true, cancellationToken);

    /// <summary>
    /// The next key range of about <paramref name="chunkSize"/> rows; copied into the shadow, or
    /// (alter --via, where another tool copied) only recorded so verification checks it.
    /// </summary>
    internal async Task<ChunkResult> NextChunkAsync(int chunkSize, bool copy, CancellationToken cancellationToken)
    {
        if (Ledger.CopyDone)
        {
            return new ChunkResult(0, true, TimeSpan.Zero);
        }

        run.Transcript.Step = copy ? "copy" : "chunk for verification";
        var watch = Stopwatch.StartNew();
        try
        {
            var lower = Ledger.CopyCursor;
            var upper = await NextBoundaryAsync(lower, chunkSize, cancellationToken).ConfigureAwait(false);
            var rows = copy ? await CopyRangeAsync(lower, upper, inTransaction: false, session: null, cancellationToken).ConfigureAwait(false) : 0;
            if (copy && _tombstones)
            {
                await SettleChunkAsync(lower, upper, cancellationToken).ConfigureAwait(false);
            }
            Ledger.Copied(lower, upper);
            return new ChunkResult(rows, upper is null, watch.Elapsed);
        }
        catch (MySqlServerException error) when (MySqlErrors.IsRetryable(error))
        {
            await Main.ResetQuietlyAsync().ConfigureAwait(false);
            throw new RetryableDatabaseException(error.Message, error.ErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
        }
    }

    /// <summary>The upper bound of the range after <paramref name="lower"/> of about <paramref name="chunkSize"/> keys; null: the last range.</summary>
    internal async Task<string[]?> NextBoundaryAsync(string[]? lower, int chunkSize, CancellationToken cancellationToken)
    {
        var boundary = await Main.QueryAsync(Sql.NextBoundary(lower, Math.Max(0, chunkSize - 1)), cancellationToken).ConfigureAwait(false);
        return boundary.Rows.Count == 0 ? null : Enumerable.Range(0, Sql.KeyCount).Select(i => MySqlLiteral.FromText(boundary.Columns[i], boundary.Rows[0], i)).ToArray();
    }

    /// <summary>One range in its own transaction; truncation or conversion warnings fail the run (a lossy change).</summary>
    internal async Task<long> CopyRangeAsync(string[]? lower, string[]? upper, bool inTransaction, MySqlSession? session, CancellationToken cancellationToken)
    {
        // --threads: a worker's session; its warnings must be read on that same session.
        session ??= Main;

        // A re-copy (in its own transaction) locks; --threads workers lock in binlog mode, where the
        // applier runs beside them (in trigger mode it waits for their round to end).
        var locking = inTransaction || (!capture.CopiesWithoutLocks && (!_lockFreeCopy || !ReferenceEquals(session, Main)));
        var result = await session.ExecuteAsync(Sql.CopyRange(lower, upper, locking), cancellationToken).ConfigureAwait(false);
        if (result.Warnings > 0)
        {
            await MySqlCopyWarnings.ThrowIfLossyAsync(session, duplicatesViolate: false, cancellationToken).ConfigureAwait(false);
        }

        return (long)result.AffectedRows;
    }

    /// <summary>Deletes the range from the shadow and copies it again, in one transaction (verification's re-copy).</summary>
    public async Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "re-copy";
        foreach (var id in chunks)
        {
            var chunk = Ledger[id];
            await Main.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
            try
            {
                await Main.ExecuteAsync(Sql.DeleteShadowRange(chunk.Lower, chunk.Upper), cancellationToken).ConfigureAwait(false);
                await CopyRangeAsync(chunk.Lower, chunk.Upper, inTransaction: true, session: null, cancellationToken).ConfigureAwait(false);
                await Main.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await Main.ResetQuietlyAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>The dry run's line for the chunk copy.</summary>
    internal static PlannedStatement DescribeCopy(MySqlStatements sql, bool lockFree) =>
        new("copy (per chunk)", sql.CopyRange(["<lower>"], ["<upper>"], locking: !lockFree), false, lockFree ? "READ COMMITTED consistent read: no row locks on the original" : "shared row locks on the chunk's rows for the statement");
}
