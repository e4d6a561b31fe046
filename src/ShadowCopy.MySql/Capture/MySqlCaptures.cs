using ShadowCopy.MySql.Capture.Binlog;
using ShadowCopy.MySql.Capture.Trigger;

namespace ShadowCopy.MySql.Capture;

/// <summary>The one place that turns <see cref="CaptureMode"/> into its <see cref="IMySqlCapture"/>.</summary>
internal static class MySqlCaptures
{
    public static IMySqlCapture For(MySqlRun run) => run.Capture switch
    {
        CaptureMode.Binlog => new MySqlBinlogMode(run),
        _ => new MySqlTriggerMode(run),
    };
}
