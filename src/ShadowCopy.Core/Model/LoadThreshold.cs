using System.Globalization;

namespace ShadowCopy.Core.Model;

/// <summary>
/// One server metric bound, as in gh-ost's <c>--max-load Threads_running=25</c>. The metric name is
/// engine-specific: a MySQL/MariaDB global status variable (Threads_running, Threads_connected…) or
/// a PostgreSQL metric (<c>active_backends</c>, <c>waiting_backends</c>); see docs/user-guide.md.
/// </summary>
public sealed record LoadThreshold(string Metric, double Limit)
{
    public override string ToString() => $"{Metric}={Limit.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>Name=N[,Name=N…]</c>; an empty or null text is no thresholds.</summary>
    public static IReadOnlyList<LoadThreshold> ParseList(string? text, string optionName)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var list = new List<LoadThreshold>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == part.Length - 1
                || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var limit)
                || limit < 0)
            {
                throw new ArgumentException($"{optionName} takes Name=N pairs separated by commas (e.g. Threads_running=25), not '{part}'");
            }

            var name = part[..eq].Trim();
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new ArgumentException($"{optionName}: '{name}' is not a metric name (letters, digits and _ only)");
            }

            list.Add(new LoadThreshold(name, limit));
        }

        return list;
    }
}
