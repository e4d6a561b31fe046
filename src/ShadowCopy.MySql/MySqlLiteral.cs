using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// Turns values read back from the server into SQL literals that denote exactly the same value. Text values
/// go out as <c>_utf8mb4 X'…'</c> (the session reads results in utf8mb4), so no escaping mode or charset can
/// alter them; binary values as <c>X'…'</c>; DECIMAL as the server's exact text; temporal values quoted.
/// </summary>
internal static class MySqlLiteral
{
    public static string FromText(MySqlColumn column, MySqlRow row, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(row);
        return row.GetValue(ordinal) switch
        {
            null => "NULL",
            string s => MySqlEscaping.QuoteBytesAs(System.Text.Encoding.UTF8.GetBytes(s), "utf8mb4"),
            byte[] b => MySqlEscaping.QuoteBytes(b),
            var value when column.IsTemporal || value is TimeSpan => string.Concat("'", MySqlRow.Text(column, value), "'"),
            var value => MySqlRow.Text(column, value),
        };
    }
}
