using System.Globalization;
using System.Text;

namespace ShadowCopy.MySql.Protocol;

/// <summary>
/// The one place identifiers and literals are turned into SQL text. Identifiers are backtick-quoted with
/// doubling; strings are single-quoted with backslash escapes, or quote doubling only under
/// NO_BACKSLASH_ESCAPES; binary values become hex literals so no byte is ever reinterpreted by a charset.
/// </summary>
public static class MySqlEscaping
{
    /// <summary>Quotes an identifier: `name` with embedded backticks doubled.</summary>
    public static string QuoteIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException("An identifier cannot be empty.", nameof(name));
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An identifier cannot contain NUL (U+0000).", nameof(name));
        }

        ThrowIfInvalidUtf16(name, nameof(name));
        return string.Concat("`", name.Replace("`", "``", StringComparison.Ordinal), "`");
    }

    /// <summary>Quotes schema.table.</summary>
    public static string QuoteIdentifier(string schema, string name) => QuoteIdentifier(schema) + "." + QuoteIdentifier(name);

    /// <summary>A character string literal for a utf8mb4 connection.</summary>
    public static string QuoteString(string value, bool noBackslashEscapes)
    {
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfInvalidUtf16(value, nameof(value));
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('\'');
        foreach (var c in value)
        {
            if (noBackslashEscapes)
            {
                // Only the quote is special when backslash escapes are off (sql_mode NO_BACKSLASH_ESCAPES).
                builder.Append(c == '\'' ? "''" : c.ToString());
                continue;
            }

            builder.Append(c switch
            {
                '\0' => "\\0",
                '\'' => "\\'",
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\x1A' => "\\Z",
                _ => c.ToString(),
            });
        }

        builder.Append('\'');
        return builder.ToString();
    }

    /// <summary>A binary literal X'..' (also the safe way to send bytes that are not valid in the column's charset).</summary>
    public static string QuoteBytes(ReadOnlySpan<byte> value) => string.Concat("X'", Convert.ToHexString(value), "'");

    /// <summary>A character literal from raw bytes of a given charset, as _charset X'..' (exact even for invalid sequences).</summary>
    public static string QuoteBytesAs(ReadOnlySpan<byte> value, string charsetName)
    {
        foreach (var c in charsetName)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                throw new ArgumentException($"Invalid charset name '{charsetName}'.", nameof(charsetName));
            }
        }

        return string.Concat("_", charsetName, " ", QuoteBytes(value));
    }

    /// <summary>Any decoded value as a literal (the inverse of the decoders: same .NET types).</summary>
    public static string FormatLiteral(object? value, bool noBackslashEscapes) => value switch
    {
        null => "NULL",
        string s => QuoteString(s, noBackslashEscapes),
        byte[] b => QuoteBytes(b),
        bool b => b ? "1" : "0",
        sbyte or byte or short or ushort or int or uint or long or ulong => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        double d when double.IsFinite(d) => d.ToString("R", CultureInfo.InvariantCulture),
        float f when float.IsFinite(f) => f.ToString("R", CultureInfo.InvariantCulture),
        double or float => throw new ArgumentException("NaN and infinities have no MySQL literal.", nameof(value)),
        MySqlDateTime dt => string.Concat("'", dt.ToString(), "'"),
        DateTime dt => string.Concat("'", MySqlDateTime.FromDateTime(dt).ToString(), "'"),
        TimeSpan t => string.Concat("'", FormatTime(t), "'"),
        _ => throw new ArgumentException($"No literal form for {value.GetType()}.", nameof(value)),
    };

    /// <summary>TIME text: [-]hhh:mm:ss.ffffff.</summary>
    public static string FormatTime(TimeSpan value)
    {
        var negative = value < TimeSpan.Zero;
        var ticks = Math.Abs(value.Ticks);
        var totalSeconds = ticks / TimeSpan.TicksPerSecond;
        var micro = ticks % TimeSpan.TicksPerSecond / 10;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{(negative ? "-" : string.Empty)}{totalSeconds / 3600:D2}:{totalSeconds / 60 % 60:D2}:{totalSeconds % 60:D2}.{micro:D6}");
    }

    private static void ThrowIfInvalidUtf16(string value, string parameterName)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ArgumentException("The string contains an unpaired surrogate and cannot be encoded as UTF-8.", parameterName);
            }
        }
    }
}
