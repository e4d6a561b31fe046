namespace ShadowCopy.MySql.Protocol;

/// <summary>Metadata of one result-set column (Protocol::ColumnDefinition41).</summary>
public sealed class MySqlColumn
{
    internal MySqlColumn(
        string schema,
        string table,
        string originalTable,
        string name,
        string originalName,
        int collationId,
        uint columnLength,
        MySqlColumnType type,
        MySqlColumnFlags flags,
        byte decimals)
    {
        Schema = schema;
        Table = table;
        OriginalTable = originalTable;
        Name = name;
        OriginalName = originalName;
        CollationId = collationId;
        ColumnLength = columnLength;
        Type = type;
        Flags = flags;
        Decimals = decimals;
        ValueKind = ResolveKind(type, flags, collationId);
    }

    public string Schema { get; }

    public string Table { get; }

    public string OriginalTable { get; }

    public string Name { get; }

    public string OriginalName { get; }

    public int CollationId { get; }

    public uint ColumnLength { get; }

    public MySqlColumnType Type { get; }

    public MySqlColumnFlags Flags { get; }

    public byte Decimals { get; }

    public bool IsUnsigned => (Flags & MySqlColumnFlags.Unsigned) != 0;

    public MySqlValueKind ValueKind { get; }

    public override string ToString() => $"{Name} {Type}";

    internal static MySqlValueKind ResolveKind(MySqlColumnType type, MySqlColumnFlags flags, int collationId)
    {
        var unsigned = (flags & MySqlColumnFlags.Unsigned) != 0;
        return type switch
        {
            MySqlColumnType.Tiny => unsigned ? MySqlValueKind.Byte : MySqlValueKind.SByte,
            MySqlColumnType.Short => unsigned ? MySqlValueKind.UInt16 : MySqlValueKind.Int16,
            MySqlColumnType.Int24 => MySqlValueKind.Int32,
            MySqlColumnType.Long => unsigned ? MySqlValueKind.UInt32 : MySqlValueKind.Int32,
            MySqlColumnType.LongLong => unsigned ? MySqlValueKind.UInt64 : MySqlValueKind.Int64,
            MySqlColumnType.Float => MySqlValueKind.Single,
            MySqlColumnType.Double => MySqlValueKind.Double,
            MySqlColumnType.Decimal or MySqlColumnType.NewDecimal => MySqlValueKind.Decimal,
            MySqlColumnType.Date or MySqlColumnType.NewDate or MySqlColumnType.DateTime or MySqlColumnType.DateTime2
                or MySqlColumnType.Timestamp or MySqlColumnType.Timestamp2 => MySqlValueKind.DateTime,
            MySqlColumnType.Time or MySqlColumnType.Time2 => MySqlValueKind.Time,
            MySqlColumnType.Year => MySqlValueKind.Year,
            MySqlColumnType.Bit => MySqlValueKind.Bit,
            MySqlColumnType.Null => MySqlValueKind.Null,
            MySqlColumnType.Json or MySqlColumnType.Enum or MySqlColumnType.Set => MySqlValueKind.String,
            MySqlColumnType.Geometry => MySqlValueKind.Bytes,
            _ when (flags & (MySqlColumnFlags.Enum | MySqlColumnFlags.Set)) != 0 => MySqlValueKind.String,
            _ => CharacterSets.IsBinary(collationId) ? MySqlValueKind.Bytes : MySqlValueKind.String,
        };
    }
}
