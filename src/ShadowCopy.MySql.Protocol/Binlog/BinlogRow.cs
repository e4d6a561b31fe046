namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// One row image of a rows event. Values are decoded on access from the event's bytes; typed getters do not
/// allocate for fixed-width types. Columns absent from the image return <see cref="BinlogMissingValue.Instance"/>.
/// </summary>
public sealed class BinlogRow
{
    internal const int NullLength = -1;
    internal const int MissingLength = -2;

    private readonly byte[] _data;
    private readonly int[] _offsets;
    private readonly MySqlValueKind[] _kinds;

    internal BinlogRow(TableMapEvent table, MySqlValueKind[] kinds, byte[] data, int[] offsets)
    {
        Table = table;
        _kinds = kinds;
        _data = data;
        _offsets = offsets;
    }

    public TableMapEvent Table { get; }

    public int FieldCount => Table.Columns.Count;

    public object? this[int ordinal] => GetValue(ordinal);

    /// <summary>False when the column is not part of this row image (never the same as NULL).</summary>
    public bool IsPresent(int ordinal) => _offsets[(ordinal * 2) + 1] != MissingLength;

    public bool IsNull(int ordinal) => _offsets[(ordinal * 2) + 1] == NullLength;

    /// <summary>The .NET representation of the column's values.</summary>
    public MySqlValueKind GetKind(int ordinal) => _kinds[ordinal];

    /// <summary>Boxed value, null for SQL NULL, <see cref="BinlogMissingValue.Instance"/> when not in the image.</summary>
    public object? GetValue(int ordinal)
    {
        var length = _offsets[(ordinal * 2) + 1];
        return length switch
        {
            MissingLength => BinlogMissingValue.Instance,
            NullLength => null,
            _ => BinlogValueCodec.Decode(Table.Columns[ordinal], _kinds[ordinal], _data.AsSpan(_offsets[ordinal * 2], length)),
        };
    }

    /// <summary>Raw value bytes as stored in the row image (with length prefix for strings and blobs).</summary>
    public ReadOnlySpan<byte> GetRaw(int ordinal)
    {
        var length = _offsets[(ordinal * 2) + 1];
        if (length < 0)
        {
            throw new InvalidOperationException(length == NullLength ? $"Column {ordinal} is NULL." : $"Column {ordinal} is not in the row image.");
        }

        return _data.AsSpan(_offsets[ordinal * 2], length);
    }

    /// <summary>Any integer, YEAR, ENUM index, SET or BIT bits as a 64-bit value (unsigned BIGINT reinterpreted).</summary>
    public long GetInt64(int ordinal) => BinlogValueCodec.ReadInteger(Table.Columns[ordinal], GetRaw(ordinal));

    public ulong GetUInt64(int ordinal) => unchecked((ulong)GetInt64(ordinal));

    public double GetDouble(int ordinal) => Convert.ToDouble(GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    public decimal GetDecimal(int ordinal)
    {
        var column = Table.Columns[ordinal];
        return BinaryDecimal.ToDecimal(GetRaw(ordinal), column.Precision, column.Scale);
    }

    /// <summary>Exact DECIMAL text, for precisions beyond <see cref="decimal"/>.</summary>
    public string GetDecimalText(int ordinal)
    {
        var column = Table.Columns[ordinal];
        return BinaryDecimal.ToText(GetRaw(ordinal), column.Precision, column.Scale);
    }

    public MySqlDateTime GetDateTime(int ordinal) => BinlogValueCodec.ReadDateTime(Table.Columns[ordinal], GetRaw(ordinal));

    public TimeSpan GetTimeSpan(int ordinal) => BinlogValueCodec.ReadTime(Table.Columns[ordinal], GetRaw(ordinal));

    public string GetString(int ordinal) => BinlogValueCodec.ReadString(Table.Columns[ordinal], GetRaw(ordinal));

    public byte[] GetBytes(int ordinal) => BinlogValueCodec.ReadBytes(Table.Columns[ordinal], GetRaw(ordinal));

    public object?[] ToArray()
    {
        var values = new object?[FieldCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = GetValue(i);
        }

        return values;
    }
}
