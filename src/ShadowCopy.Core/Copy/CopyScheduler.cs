using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Logging;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Copy;

/// <summary>
/// The copy phase, once for every engine: chunks of an adaptive size, copied one at a time
/// (<see cref="IChunkCopier"/>) or by <c>--threads</c> workers (<see cref="IParallelCopyBackend"/>),
/// interleaved with the applier, throttled, paced by the latency guard and limited by
/// <c>--max-rows-per-second</c>. Deadlocks and lock wait timeouts retry with a smaller chunk, at most 5
/// times in a row (per chunk with workers).
/// </summary>
public sealed class CopyScheduler(IRunLoop run, AdaptiveChunkSizer sizer, RunControl control, AlterOptions options, ILogger logger)
{
    private const int MaxRetries = 5;
    private readonly Stopwatch _clock = new();
    private long _rows;

    /// <summary>Time spent copying (the rate shown in status is rows over this).</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Called for every chunk copied (the run's counters).</summary>
    public Action<ChunkResult>? ChunkCopied { get; init; }

    /// <summary>Called with the reason while <c>--max-rows-per-second</c> holds the copy back.</summary>
    public Action<string>? RateLimited { get; init; }

    /// <summary>Copies every chunk, one at a time.</summary>
    public async Task CopyAsync(IChunkCopier copier, CancellationToken cancellationToken)
    {
        _clock.Start();
        var done = false;
        var failures = 0;
        while (!done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await run.ThrottleAsync(cancellationToken).ConfigureAwait(false))
            {
                await run.ApplyForAsync(IRunLoop.IdlePoll, cancellationToken).ConfigureAwait(false);
                await Task.Delay(IRunLoop.IdlePoll, cancellationToken).ConfigureAwait(false);
                await run.TickAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            // Operator changes take effect from the next chunk.
            TakeOperatorChunkSettings();

            ChunkResult chunk;
            try
            {
                chunk = await copier.CopyChunkAsync(sizer.Current, cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (RetryableDatabaseException retryable) when (failures < MaxRetries)
            {
                // Deadlocks and lock wait timeouts: smaller chunk, back off, bounded (5 in a row).
                failures++;
                var size = sizer.OnFailure();
                Log.ChunkRetry(logger, failures, MaxRetries, size, retryable.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << failures)), cancellationToken).ConfigureAwait(false);
                continue;
            }

            Copied(chunk);
            done = chunk.Done;

            // Copy and apply share the loop so neither starves: after each chunk, apply for at
            // most one chunk time (the backlog is shown in status).
            await run.ApplyForAsync(sizer.Target, cancellationToken).ConfigureAwait(false);

            await run.PaceAsync(chunk.Elapsed, cancellationToken).ConfigureAwait(false);
            await RateLimitAsync(cancellationToken).ConfigureAwait(false);

            await run.TickAsync(cancellationToken).ConfigureAwait(false);
        }

        _clock.Stop();
    }

    /// <summary>
    /// <c>--threads N</c>: the main session plans chunks and applies captured changes; up to N
    /// workers copy planned chunks on their own sessions. Throttling stops new chunks (running ones
    /// finish); operator chunk-size changes apply to the next chunk planned. A retryable error
    /// re-queues the chunk (at most 5 times); any other failure cancels the other workers, waits
    /// for them, and propagates.
    /// </summary>
    public async Task CopyAsync(IParallelCopyBackend parallel, int threads, CancellationToken cancellationToken)
    {
        _clock.Start();
        using var workers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new Dictionary<Task<ChunkResult>, (PlannedChunk Chunk, int Worker, int Attempt)>();
        var free = new Stack<int>(Enumerable.Range(0, threads).Reverse());
        var retries = new Queue<(PlannedChunk Chunk, int Attempt)>();
        var planning = true;
        try
        {
            while (planning || running.Count > 0 || retries.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var throttled = await run.ThrottleAsync(cancellationToken).ConfigureAwait(false);
                var mayDispatch = parallel.ApplyDuringCopy || running.Count == 0;
                if (!parallel.ApplyDuringCopy && running.Count == 0)
                {
                    // Between rounds: every change concurrent with the last round's copies is applied now.
                    await run.ApplyForAsync(throttled ? IRunLoop.IdlePoll : sizer.Target, cancellationToken).ConfigureAwait(false);
                }

                while (mayDispatch && !throttled && free.Count > 0 && (planning || retries.Count > 0))
                {
                    (PlannedChunk Chunk, int Attempt) next;
                    if (retries.Count > 0)
                    {
                        next = retries.Dequeue();
                    }
                    else
                    {
                        TakeOperatorChunkSettings();

                        if (await parallel.PlanChunkAsync(sizer.Current, cancellationToken).ConfigureAwait(false) is not { } planned)
                        {
                            planning = false;
                            break;
                        }

                        planning = !planned.Last;
                        next = (planned, 0);
                    }

                    var worker = free.Pop();
                    running.Add(parallel.CopyPlannedChunkAsync(next.Chunk, worker, workers.Token), (next.Chunk, worker, next.Attempt));
                }

                // While the workers copy, the main session applies captured changes.
                if (parallel.ApplyDuringCopy)
                {
                    await run.ApplyForAsync(running.Count > 0 ? sizer.Target : IRunLoop.IdlePoll, cancellationToken).ConfigureAwait(false);
                }

                if (running.Count > 0)
                {
                    await Task.WhenAny(Task.WhenAny(running.Keys), Task.Delay(IRunLoop.IdlePoll, cancellationToken)).ConfigureAwait(false);
                }
                else if (throttled)
                {
                    await Task.Delay(IRunLoop.IdlePoll, cancellationToken).ConfigureAwait(false);
                }

                foreach (var task in running.Keys.Where(t => t.IsCompleted).ToList())
                {
                    var (chunk, worker, attempt) = running[task];
                    running.Remove(task);
                    free.Push(worker);
                    try
                    {
                        var result = await task.ConfigureAwait(false);
                        Copied(result);
                        await run.PaceAsync(result.Elapsed, cancellationToken).ConfigureAwait(false);
                    }
                    catch (RetryableDatabaseException retryable) when (attempt < MaxRetries)
                    {
                        var size = sizer.OnFailure();
                        Log.ChunkRetry(logger, attempt + 1, MaxRetries, size, retryable.Message);
                        retries.Enqueue((chunk, attempt + 1));
                    }
                }

                await RateLimitAsync(cancellationToken).ConfigureAwait(false);

                await run.TickAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (running.Count > 0)
            {
                // Never leave a worker writing while cleanup drops what it writes to.
                await workers.CancelAsync().ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(running.Keys).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Their failures are consequences of the one being propagated.
                }
            }
        }

        _clock.Stop();
    }

    private void Copied(ChunkResult chunk)
    {
        _rows += chunk.Rows;
        sizer.Observe(chunk.Rows, chunk.Elapsed);
        ChunkCopied?.Invoke(chunk);
    }

    /// <summary>Operator changes (ctl chunk-time, chunk-size) for the next chunk.</summary>
    private void TakeOperatorChunkSettings()
    {
        sizer.Target = control.ChunkTime;
        if (control.TakeRequestedChunkSize() is { } requested)
        {
            sizer.Set(requested);
            run.Message($"chunk size set to {sizer.Current} rows by the operator");
        }
    }

    /// <summary>--max-rows-per-second: waits until the rows copied in this copy phase are back under the limit.</summary>
    private async Task RateLimitAsync(CancellationToken cancellationToken)
    {
        if (options.MaxRowsPerSecond is { } limit)
        {
            var wait = RateLimiter.DelayFor(_rows, _clock.Elapsed, limit);
            if (wait > TimeSpan.Zero)
            {
                RateLimited?.Invoke($"rate limit {limit} rows/s");
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
