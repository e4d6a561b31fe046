namespace ShadowCopy.MySql.Protocol;

/// <summary>The .NET representation a column's values decode to.</summary>
public enum MySqlValueKind
{
    /// <summary>Always null (type NULL).</summary>
    Null,
    /// <summary><see cref="sbyte"/>.</summary>
    SByte,
    /// <summary><see cref="byte"/>.</summary>
    Byte,
    /// <summary><see cref="short"/>.</summary>
    Int16,
    /// <summary><see cref="ushort"/>.</summary>
    UInt16,
    /// <summary><see cref="int"/> (also MEDIUMINT signed and unsigned).</summary>
    Int32,
    /// <summary><see cref="uint"/>.</summary>
    UInt32,
    /// <summary><see cref="long"/>.</summary>
    Int64,
    /// <summary><see cref="ulong"/>.</summary>
    UInt64,
    /// <summary><see cref="float"/>.</summary>
    Single,
    /// <summary><see cref="double"/>.</summary>
    Double,
    /// <summary><see cref="decimal"/> with the column's scale.</summary>
    Decimal,
    /// <summary><see cref="MySqlDateTime"/> (DATE, DATETIME, TIMESTAMP).</summary>
    DateTime,
    /// <summary><see cref="TimeSpan"/> (TIME, may be negative or above 24 h).</summary>
    Time,
    /// <summary><see cref="int"/> year, 0 for the zero year.</summary>
    Year,
    /// <summary><see cref="string"/> (character columns, ENUM, SET, JSON).</summary>
    String,
    /// <summary><see cref="byte"/>[] (binary columns, GEOMETRY).</summary>
    Bytes,
    /// <summary><see cref="ulong"/> holding the bits of a BIT(n) column.</summary>
    Bit,
}
