using System.Text;

namespace ShadowCopy.MySql.Protocol;

/// <summary>
/// One text-protocol row. The row keeps its raw bytes; typed getters parse on demand without allocating for
/// fixed-width types, <see cref="GetValue"/> returns the boxed value (null for SQL NULL).
/// </summary>
public sealed class MySqlRow
{
    private readonly byte[] _data;
    private readonly int[] _offsets;
    private readonly IReadOnlyList<MySqlColumn> _columns;
    private readonly Encoding?[] _encodings;

    internal MySqlRow(IReadOnlyList<MySqlColumn> columns, Encoding?[] encodings, byte[] data, int[] offsets)
    {
        _columns = columns;
        _encodings = encodings;
        _data = data;
        _offsets = offsets;
    }

    public int FieldCount => _columns.Count;

    public object? this[int ordinal] => GetValue(ordinal);

    public bool IsNull(int ordinal) => _offsets[(ordinal * 2) + 1] < 0;

    public object? GetValue(int ordinal)
    {
        if (IsNull(ordinal))
        {
            return null;
        }

        return TextValueParser.Decode(_columns[ordinal], GetRaw(ordinal), _encodings[ordinal]);
    }

    /// <summary>The raw text/binary bytes of a non-NULL column.</summary>
    public ReadOnlySpan<byte> GetRaw(int ordinal)
    {
        var length = _offsets[(ordinal * 2) + 1];
        if (length < 0)
        {
            throw new InvalidOperationException($"Column {ordinal} is NULL.");
        }

        return _data.AsSpan(_offsets[ordinal * 2], length);
    }

    public long GetInt64(int ordinal) => TextValueParser.ParseInt64(GetRaw(ordinal));

    public ulong GetUInt64(int ordinal) => TextValueParser.ParseUInt64(GetRaw(ordinal));

    public int GetInt32(int ordinal) => checked((int)GetInt64(ordinal));

    public double GetDouble(int ordinal) => TextValueParser.ParseDouble(GetRaw(ordinal));

    public decimal GetDecimal(int ordinal) => TextValueParser.ParseDecimal(GetRaw(ordinal));

    public MySqlDateTime GetDateTime(int ordinal) => TextValueParser.ParseDateTime(GetRaw(ordinal));

    public TimeSpan GetTimeSpan(int ordinal) => TextValueParser.ParseTime(GetRaw(ordinal));

    public string GetString(int ordinal) => (_encodings[ordinal] ?? CharacterSets.Utf8).GetString(GetRaw(ordinal));

    public byte[] GetBytes(int ordinal) => GetRaw(ordinal).ToArray();

    /// <summary>All values, boxed.</summary>
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
