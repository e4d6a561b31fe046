using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>Protocol::ColumnDefinition41.</summary>
internal static class ColumnDefinitionPayload
{
    public static MySqlColumn Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PacketReader(payload);
        reader.ReadLengthEncodedBytes(); // catalog, always "def"
        var schema = reader.ReadLengthEncodedString();
        var table = reader.ReadLengthEncodedString();
        var originalTable = reader.ReadLengthEncodedString();
        var name = reader.ReadLengthEncodedString();
        var originalName = reader.ReadLengthEncodedString();
        var fixedLength = reader.ReadLengthEncodedInteger();
        if (fixedLength < 0x0C)
        {
            throw new FormatException($"Column definition fixed-length block is {fixedLength} bytes, expected 12.");
        }

        var collation = reader.ReadUInt16();
        var length = reader.ReadUInt32();
        var type = (MySqlColumnType)reader.ReadByte();
        var flags = (MySqlColumnFlags)reader.ReadUInt16();
        var decimals = reader.ReadByte();
        return new MySqlColumn(schema, table, originalTable, name, originalName, collation, length, type, flags, decimals);
    }
}
