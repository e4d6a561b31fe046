using System.Globalization;
using System.Text;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>Seeded value generators for <see cref="ValueDomain"/>; text goes through the engine's literal function.</summary>
internal static class Gen
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Func<Random, DiffValue> Int(long min, long max) =>
        r => new((max == long.MaxValue ? r.NextInt64(min, max) : r.NextInt64(min, max + 1)).ToString(Invariant));

    public static Func<Random, DiffValue> Pick(params DiffValue[] values) => r => values[r.Next(values.Length)];

    public static Func<Random, DiffValue> Text(Func<string, string> literal, string alphabet, int maxLength, int minLength = 0) =>
        r => new(literal(Chars(r, alphabet, r.Next(minLength, maxLength + 1))));

    /// <summary>A random subset of the members, comma-separated in random order (SET columns normalise the order).</summary>
    public static Func<Random, DiffValue> Subset(Func<string, string> literal, params string[] members) =>
        r => new(literal(string.Join(",", members.Where(_ => r.Next(2) == 0).OrderBy(_ => r.Next()))));

    /// <summary>A decimal with at most <paramref name="integerDigits"/> digits before and <paramref name="scale"/> after the point.</summary>
    public static Func<Random, DiffValue> Decimal(int integerDigits, int scale, bool signed = true) => r =>
    {
        var text = new StringBuilder();
        if (signed && r.Next(2) == 0)
        {
            text.Append('-');
        }

        text.Append(Chars(r, "0123456789", r.Next(1, integerDigits + 1)).TrimStart('0').PadLeft(1, '0'));
        if (scale > 0)
        {
            text.Append('.').Append(Chars(r, "0123456789", scale));
        }

        return new(text.ToString());
    };

    /// <summary>A double written with 17 significant digits (round-trips exactly), in a friendly range.</summary>
    public static Func<Random, DiffValue> Double(double scale) =>
        r => new(((r.NextDouble() - 0.5) * 2 * scale).ToString("R", Invariant));

    /// <summary>A timestamp text between the two instants, with <paramref name="fraction"/> fractional digits.</summary>
    public static Func<Random, DiffValue> Timestamp(Func<string, string> literal, DateTime from, DateTime to, int fraction) => r =>
    {
        var ticks = r.NextInt64(from.Ticks, to.Ticks);
        var value = new DateTime(ticks - (ticks % TimeSpan.TicksPerMicrosecond), DateTimeKind.Unspecified);
        var text = value.ToString("yyyy-MM-dd HH:mm:ss", Invariant);
        if (fraction > 0)
        {
            text += "." + value.ToString("ffffff", Invariant)[..fraction];
        }

        return new(literal(text));
    };

    public static Func<Random, DiffValue> Date(Func<string, string> literal, DateTime from, DateTime to) =>
        r => new(literal(new DateTime(r.NextInt64(from.Ticks, to.Ticks), DateTimeKind.Unspecified).ToString("yyyy-MM-dd", Invariant)));

    public static string Chars(Random r, string alphabet, int length)
    {
        var elements = StringInfoElements(alphabet);
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            text.Append(elements[r.Next(elements.Count)]);
        }

        return text.ToString();
    }

    /// <summary>Text elements, so surrogate pairs (emoji) are never split.</summary>
    private static List<string> StringInfoElements(string text)
    {
        var list = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext())
        {
            list.Add((string)e.Current);
        }

        return list;
    }
}
