using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// Turns values read back from the server into SQL literals that denote exactly the same value
/// (there are no parameters in the text protocol). Text values go out as <c>_utf8mb4 X'…'</c>
/// (the session reads results in utf8mb4), so no escaping mode or charset can alter them.
/// </summary>
internal static class MySqlLiteral
{
    public static string FromText(MySqlColumn column, MySqlRow row, int ordinal)
    {
        if (row.IsNull(ordinal))
        {
            return "NULL";
        }

        var raw = row.GetRaw(ordinal);
        return column.ValueKind switch
        {
            MySqlValueKind.String => MySqlEscaping.QuoteBytesAs(raw, "utf8mb4"),
            MySqlValueKind.Bytes or MySqlValueKind.Bit => MySqlEscaping.QuoteBytes(raw),
            MySqlValueKind.DateTime or MySqlValueKind.Time => string.Concat("'", System.Text.Encoding.ASCII.GetString(raw), "'"),
            _ => System.Text.Encoding.ASCII.GetString(raw),
        };
    }
}
