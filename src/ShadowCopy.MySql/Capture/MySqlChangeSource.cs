using ShadowCopy.Core.Capture;
using ShadowCopy.MySql.Copy;

namespace ShadowCopy.MySql.Capture;

/// <summary>The change-source seam over the run's capture mode (binlog or triggers, <see cref="IMySqlCapture"/>).</summary>
internal sealed class MySqlChangeSource(MySqlRun run, IMySqlCapture capture, MySqlChunkCopier copier) : IChangeSource
{
    public async Task StartCaptureAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "install capture";
        await capture.StartAsync(copier, cancellationToken).ConfigureAwait(false);
        Log.CaptureStarted(run.Logger, run.Capture);
        run.Transcript.Step = "copy";
    }

    public Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken) => capture.ApplyAsync(maxChanges, cancellationToken);

    public Task<long> GetBacklogAsync(CancellationToken cancellationToken) => capture.BacklogAsync(cancellationToken);
}
