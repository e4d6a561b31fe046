namespace ShadowCopy.Cli.Tests;

public sealed class SizeParserTests
{
    [Theory]
    [InlineData("4GB", 4L << 30)]
    [InlineData("4gb", 4L << 30)]
    [InlineData("512MB", 512L << 20)]
    [InlineData("64kB", 64L << 10)]
    [InlineData("1.5GB", 3L << 29)]
    [InlineData("2TB", 2L << 40)]
    [InlineData("1024", 1024)]
    [InlineData("1024B", 1024)]
    [InlineData(" 16 MB ", 16L << 20)]
    public void TryParse_sizes_with_binary_units_parse(string text, long expected)
    {
        Assert.True(SizeParser.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("GB")]
    [InlineData("0")]
    [InlineData("0MB")]
    [InlineData("-1GB")]
    [InlineData("lots")]
    [InlineData("4 GiB")]
    [InlineData("NaN")]
    [InlineData("NaNGB")]
    [InlineData("Infinity")]
    [InlineData("1e30TB")]
    public void TryParse_zero_negative_or_garbage_is_rejected(string? text)
    {
        Assert.False(SizeParser.TryParse(text, out _));
    }
}
