using System.Globalization;

namespace ShadowCopy.Core.Model;

/// <summary>Parses durations as users write them: "500ms", "250us", "2s", "1.5s", "3m"; a bare number is seconds.</summary>
public static class DurationParser
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith("us", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.000001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        // NaN and values beyond TimeSpan's range would make TimeSpan.FromSeconds throw, and a Try
        // method must not: "NaN" or "1e300s" is a usage error (exit 2), not a crash (exit 1).
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
            || !double.IsFinite(amount) || amount < 0 || amount * scale >= TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(amount * scale);
        return true;
    }
}
