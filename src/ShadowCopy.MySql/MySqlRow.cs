using System.Globalization;
using System.Text;
using DriverDateTime = MySqlConnector.MySqlDateTime;
using DriverDecimal = MySqlConnector.MySqlDecimal;

namespace ShadowCopy.MySql;

/// <summary>
/// One row as the driver decoded it (null for SQL NULL). The typed getters accept what the old text protocol
/// accepted: a number read from a string column (SHOW STATUS values), the text of any value.
/// </summary>
internal sealed class MySqlRow
{
    private readonly IReadOnlyList<MySqlColumn> _columns;
    private readonly object?[] _values;

    internal MySqlRow(IReadOnlyList<MySqlColumn> columns, object?[] values)
    {
        _columns = columns;
        _values = values;
    }

    public int FieldCount => _values.Length;

    public object? this[int ordinal] => GetValue(ordinal);

    public bool IsNull(int ordinal) => _values[ordinal] is null;

    /// <summary>The driver's value: string, byte[], a number, MySqlConnector.MySqlDateTime, TimeSpan, MySqlDecimal; null for NULL.</summary>
    public object? GetValue(int ordinal) => _values[ordinal];

    public long GetInt64(int ordinal) => _values[ordinal] switch
    {
        long l => l,
        string or byte[] or DriverDecimal => long.Parse(GetString(ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture),
        var other => Convert.ToInt64(NotNull(other, ordinal), CultureInfo.InvariantCulture),
    };

    public ulong GetUInt64(int ordinal) => _values[ordinal] switch
    {
        ulong u => u,
        string or byte[] or DriverDecimal => ulong.Parse(GetString(ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture),
        var other => Convert.ToUInt64(NotNull(other, ordinal), CultureInfo.InvariantCulture),
    };

    public int GetInt32(int ordinal) => checked((int)GetInt64(ordinal));

    public double GetDouble(int ordinal) => _values[ordinal] switch
    {
        double d => d,
        DriverDecimal m => m.ToDouble(),
        string or byte[] => double.Parse(GetString(ordinal), NumberStyles.Float, CultureInfo.InvariantCulture),
        var other => Convert.ToDouble(NotNull(other, ordinal), CultureInfo.InvariantCulture),
    };

    public decimal GetDecimal(int ordinal) => _values[ordinal] switch
    {
        DriverDecimal m => m.Value,
        string or byte[] => decimal.Parse(GetString(ordinal), NumberStyles.Float, CultureInfo.InvariantCulture),
        var other => Convert.ToDecimal(NotNull(other, ordinal), CultureInfo.InvariantCulture),
    };

    public byte[] GetBytes(int ordinal) => _values[ordinal] as byte[] ?? Encoding.UTF8.GetBytes(GetString(ordinal));

    /// <summary>The value's text as the server's text protocol spells it (what the old client returned for any column).</summary>
    public string GetString(int ordinal) => Text(_columns[ordinal], NotNull(_values[ordinal], ordinal));

    internal static string Text(MySqlColumn column, object value) => value switch
    {
        string s => s,
        byte[] b => Encoding.UTF8.GetString(b),
        DriverDecimal m => m.ToString(),
        DriverDateTime dt => DateTimeText(column, dt),
        DateTime dt => DateTimeText(column, new DriverDateTime(dt)),
        TimeSpan t => TimeText(t),
        bool b => b ? "1" : "0",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString() ?? string.Empty,
    };

    private static string DateTimeText(MySqlColumn column, DriverDateTime value)
    {
        var date = string.Create(CultureInfo.InvariantCulture, $"{value.Year:D4}-{value.Month:D2}-{value.Day:D2}");
        if (column.TypeName == "DATE")
        {
            return date;
        }

        var time = string.Create(CultureInfo.InvariantCulture, $"{date} {value.Hour:D2}:{value.Minute:D2}:{value.Second:D2}");
        return value.Microsecond == 0 ? time : string.Create(CultureInfo.InvariantCulture, $"{time}.{value.Microsecond:D6}");
    }

    /// <summary>TIME spans -838:59:59 to 838:59:59 with microseconds; hours are not wrapped into days.</summary>
    private static string TimeText(TimeSpan value)
    {
        var sign = value < TimeSpan.Zero ? "-" : string.Empty;
        var abs = value.Duration();
        var hours = (long)abs.TotalHours;
        var micro = (abs.Ticks % TimeSpan.TicksPerSecond) / 10;
        var text = string.Create(CultureInfo.InvariantCulture, $"{sign}{hours:D2}:{abs.Minutes:D2}:{abs.Seconds:D2}");
        return micro == 0 ? text : string.Create(CultureInfo.InvariantCulture, $"{text}.{micro:D6}");
    }

    private static object NotNull(object? value, int ordinal) =>
        value ?? throw new InvalidOperationException($"Column {ordinal} is NULL.");
}
