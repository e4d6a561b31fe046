namespace ShadowCopy.MySql.Protocol;

/// <summary>Column definition flags (Column Definition Flags in the protocol docs).</summary>
[Flags]
public enum MySqlColumnFlags : ushort
{
    None = 0,
    NotNull = 1,
    PrimaryKey = 2,
    UniqueKey = 4,
    MultipleKey = 8,
    Blob = 16,
    Unsigned = 32,
    ZeroFill = 64,
    Binary = 128,
    Enum = 256,
    AutoIncrement = 512,
    Timestamp = 1024,
    Set = 2048,
}
