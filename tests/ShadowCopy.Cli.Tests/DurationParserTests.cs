using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Tests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("500MS", 500)]
    [InlineData("0.5ms", 0.5)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("3m", 180_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.25H", 4_500_000)]
    [InlineData("2", 2_000)]
    [InlineData("0.25", 250)]
    [InlineData(" 10s ", 10_000)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    public void TryParse_valid_durations_parse(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("-1s")]
    [InlineData("-500ms")]
    [InlineData("-3")]
    [InlineData("abc")]
    [InlineData("s")]
    [InlineData("ms")]
    [InlineData("5 minutes")]
    [InlineData("1,5s")]
    [InlineData("1d")]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    [InlineData("1e400s")]
    [InlineData("1e300s")]
    [InlineData("1e12h")]
    public void TryParse_negative_or_garbage_is_rejected(string? text)
    {
        Assert.False(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.Zero, value);
    }
}
