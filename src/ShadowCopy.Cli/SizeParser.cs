using System.Globalization;

namespace ShadowCopy.Cli;

/// <summary>Parses sizes as users write them: "4GB", "512MB", "64kB", "1024" (bytes). Units are powers of 1024.</summary>
internal static class SizeParser
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var units = new (string Suffix, long Scale)[] { ("TB", 1L << 40), ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1) };
        long scale = 1;
        foreach (var (suffix, value) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                text = text[..^suffix.Length].Trim();
                scale = value;
                break;
            }
        }

        // NaN fails every comparison, so it must be refused explicitly (it would become 0 bytes).
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !double.IsFinite(amount) || amount <= 0 || amount * scale > long.MaxValue)
        {
            return false;
        }

        bytes = (long)(amount * scale);
        return true;
    }
}
