using ShadowCopy.Postgres.Capture.Logical;
using ShadowCopy.Postgres.Capture.Trigger;

namespace ShadowCopy.Postgres.Capture;

/// <summary>The one place that turns <c>--capture</c> into a mode.</summary>
internal static class PgCaptureModes
{
    public static IPgCaptureMode For(PgCaptureOptions options) =>
        options.IsLogical ? new PgLogicalMode(options) : new PgTriggerMode();
}
