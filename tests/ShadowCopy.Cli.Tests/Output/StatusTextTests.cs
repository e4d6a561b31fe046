using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Tests.Output;

public sealed class StatusTextTests
{
    [Theory]
    [InlineData(Phase.Starting, "starting")]
    [InlineData(Phase.Preflight, "preflight")]
    [InlineData(Phase.CreatingShadow, "creating-shadow")]
    [InlineData(Phase.InstallingCapture, "installing-capture")]
    [InlineData(Phase.Copying, "copying")]
    [InlineData(Phase.CatchingUp, "catching-up")]
    [InlineData(Phase.Verifying, "verifying")]
    [InlineData(Phase.Postponed, "postponed")]
    [InlineData(Phase.CuttingOver, "cutting-over")]
    [InlineData(Phase.CleaningUp, "cleaning-up")]
    [InlineData(Phase.Done, "done")]
    [InlineData(Phase.Failed, "failed")]
    [InlineData(Phase.Cancelled, "cancelled")]
    public void PhaseName_is_kebab_case(Phase phase, string expected)
    {
        Assert.Equal(expected, StatusText.PhaseName(phase));
    }

    [Fact]
    public void PhaseName_every_phase_is_lower_kebab_case()
    {
        Assert.All(Enum.GetValues<Phase>(), p => Assert.Matches("^[a-z]+(-[a-z]+)*$", StatusText.PhaseName(p)));
    }

    [Theory]
    [InlineData(null, "?")]
    [InlineData(0.0, "0:00")]
    [InlineData(59.4, "0:59")]
    [InlineData(61.0, "1:01")]
    [InlineData(3599.0, "59:59")]
    [InlineData(3600.0, "1:00:00")]
    [InlineData(90061.0, "25:01:01")]
    public void Duration_formats_minutes_or_hours(double? seconds, string expected)
    {
        Assert.Equal(expected, StatusText.Duration(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value)));
    }

    [Fact]
    public void Line_shows_progress_rate_eta_backlog_and_chunk()
    {
        var status = new StatusSnapshot(Phase.Copying, 250_000, 1_000_000, 12_345.6, TimeSpan.FromSeconds(75), 42, 1_234, 5_000, null, TimeSpan.FromSeconds(20));

        Assert.Equal(
            "copying: copied 250,000/1,000,000 rows (25.0%), 12,346 rows/s, ETA 1:15, backlog 42, applied 1,234, chunk 5,000, elapsed 0:20",
            StatusText.Line(status));
    }

    [Fact]
    public void Line_shows_the_capture_detail()
    {
        var status = new StatusSnapshot(Phase.CatchingUp, 10, 10, 0, null, 3, 4, 1_000, null, TimeSpan.FromSeconds(61)) { CaptureDetail = "slot retains 12.0 MB of WAL" };

        Assert.Equal(
            "catching-up: copied 10/10 rows (100.0%), 0 rows/s, ETA ?, backlog 3, applied 4, chunk 1,000, slot retains 12.0 MB of WAL, elapsed 1:01",
            StatusText.Line(status));
    }

    [Fact]
    public void Line_shows_the_throttle_reason()
    {
        var status = new StatusSnapshot(Phase.Copying, 0, 0, 0, null, 0, 0, 1_000, "flag file /tmp/x exists", TimeSpan.Zero);

        Assert.Equal(
            "copying: copied 0/0 rows (0.0%), 0 rows/s, ETA ?, backlog 0, applied 0, chunk 1,000, throttled: flag file /tmp/x exists, elapsed 0:00",
            StatusText.Line(status));
    }
}
