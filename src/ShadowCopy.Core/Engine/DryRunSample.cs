using System.Diagnostics;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Engine;

/// <summary>
/// The rehearsal's measurement: chunks are copied into the shadow for up to
/// <see cref="AlterOptions.DryRunSampleTime"/> (the shadow is dropped afterwards), which gives the
/// copy rate on this server and so the predicted duration, and the plan is what the backend executed
/// plus what it would execute.
/// </summary>
internal sealed record DryRunSample(long Rows, double? RowsPerSecond, TimeSpan? EstimatedCopyDuration, IReadOnlyList<PlannedStatement> Plan)
{
    public static async Task<DryRunSample> TakeAsync(IAlterBackend backend, AdaptiveChunkSizer sizer, TimeSpan sampleTime, long estimatedRows, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long rows = 0;
        var done = false;
        while (!done && clock.Elapsed < sampleTime)
        {
            var chunk = await backend.CopyChunkAsync(sizer.Current, cancellationToken).ConfigureAwait(false);
            rows += chunk.Rows;
            done = chunk.Done;
            sizer.Observe(chunk.Rows, chunk.Elapsed);
        }

        var rate = rows > 0 ? rows / Math.Max(clock.Elapsed.TotalSeconds, 0.001) : (double?)null;
        TimeSpan? estimate = rate is > 0 ? TimeSpan.FromSeconds(estimatedRows / rate.Value) : null;
        return new DryRunSample(rows, rate, estimate, [.. backend.ExecutedStatements, .. backend.DescribeUnexecutedSteps()]);
    }
}
