using System.Globalization;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Capture.Binlog;

/// <summary>Literals from a binlog row image, column by column (the image is the source of truth, never a re-read).</summary>
internal static class MySqlRowImage
{
    public static string Literal(BinlogRow row, int ordinal, string? charset)
    {
        if (row.IsNull(ordinal))
        {
            return "NULL";
        }

        if (row.GetKind(ordinal) == MySqlValueKind.Decimal)
        {
            // The text form is exact even beyond System.Decimal's 28 digits.
            return row.GetDecimalText(ordinal);
        }

        return row.GetValue(ordinal) switch
        {
            BinlogMissingValue => throw new InvalidOperationException($"Column {ordinal} is missing from the row image; binlog_row_image must be FULL."),
            string s => MySqlEscaping.QuoteBytesAs(System.Text.Encoding.UTF8.GetBytes(s), "utf8mb4"),
            byte[] b when charset is not null && charset != "binary" => MySqlEscaping.QuoteBytesAs(b, charset),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            // A float's shortest text (3.4028235E+38) can round above FLT_MAX when the server reads it
            // as a double; its exact double value converts back to the same float.
            float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
            var other => MySqlEscaping.FormatLiteral(other, noBackslashEscapes: false),
        };
    }
}
