namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// One column of a TABLE_MAP: the binlog (real) type with its metadata, and what the optional metadata
/// (binlog_row_metadata=FULL) adds: name, signedness, collation, ENUM/SET values, primary key membership.
/// Properties from optional metadata are null when the server did not send them.
/// </summary>
public sealed class BinlogColumn
{
    internal BinlogColumn(int index, MySqlColumnType type, bool isNullable)
    {
        Index = index;
        Type = type;
        IsNullable = isNullable;
    }

    public int Index { get; }

    /// <summary>Real type: CHAR columns report <see cref="MySqlColumnType.String"/>, ENUM and SET their own type.</summary>
    public MySqlColumnType Type { get; internal set; }

    public bool IsNullable { get; }

    /// <summary>Declared byte length of CHAR/VARCHAR/BINARY/VARBINARY columns.</summary>
    public int MaxLength { get; internal set; }

    /// <summary>Length-prefix bytes of BLOB/TEXT/JSON/GEOMETRY values; byte size of FLOAT/DOUBLE; pack length of ENUM/SET.</summary>
    public int PackLength { get; internal set; }

    public int Precision { get; internal set; }

    public int Scale { get; internal set; }

    /// <summary>Fractional-seconds precision (0-6) of TIME2/DATETIME2/TIMESTAMP2.</summary>
    public int FractionalSecondsPrecision { get; internal set; }

    /// <summary>Number of bits of a BIT(n) column.</summary>
    public int BitLength { get; internal set; }

    public string? Name { get; internal set; }

    public bool? IsUnsigned { get; internal set; }

    public int? CollationId { get; internal set; }

    public IReadOnlyList<string>? EnumValues { get; internal set; }

    public IReadOnlyList<string>? SetValues { get; internal set; }

    public int? GeometryType { get; internal set; }

    public bool IsPrimaryKey { get; internal set; }

    /// <summary>Whether signedness applies (numeric types listed by the SIGNEDNESS metadata).</summary>
    internal bool IsNumeric => Type is MySqlColumnType.Tiny or MySqlColumnType.Short or MySqlColumnType.Int24 or MySqlColumnType.Long
        or MySqlColumnType.LongLong or MySqlColumnType.Float or MySqlColumnType.Double or MySqlColumnType.NewDecimal or MySqlColumnType.Decimal;

    /// <summary>Whether the column is listed by the charset metadata (character and BLOB types).</summary>
    internal bool IsCharacter => Type is MySqlColumnType.String or MySqlColumnType.VarString or MySqlColumnType.VarChar
        or MySqlColumnType.Blob or MySqlColumnType.TinyBlob or MySqlColumnType.MediumBlob or MySqlColumnType.LongBlob;

    internal bool IsEnumOrSet => Type is MySqlColumnType.Enum or MySqlColumnType.Set;

    /// <summary>
    /// Supplies what the TABLE_MAP lacked when the server sends no optional metadata (MariaDB's default
    /// binlog_row_metadata=NO_LOG), e.g. from information_schema.COLUMNS. Metadata sent by the server wins.
    /// Affects rows events parsed after the call.
    /// </summary>
    public void ApplySchema(string name, bool isUnsigned, int? collationId, IReadOnlyList<string>? enumValues = null, IReadOnlyList<string>? setValues = null)
    {
        Name ??= name;
        IsUnsigned ??= IsNumeric ? isUnsigned : null;
        CollationId ??= collationId;
        EnumValues ??= Type == MySqlColumnType.Enum ? enumValues : null;
        SetValues ??= Type == MySqlColumnType.Set ? setValues : null;
    }

    public override string ToString() => $"{Name ?? "#" + Index} {Type}";
}
