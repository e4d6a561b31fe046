using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>EOF_Packet (0xFE, fewer than 9 bytes): warnings and status flags.</summary>
internal sealed record EofPayload(int Warnings, MySqlServerStatus Status)
{
    public static bool IsEof(ReadOnlySpan<byte> payload) => payload.Length is > 0 and < 9 && payload[0] == 0xFE;

    public static EofPayload Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PacketReader(payload);
        if (reader.ReadByte() != 0xFE)
        {
            throw new FormatException("Expected an EOF packet.");
        }

        if (reader.IsAtEnd)
        {
            return new EofPayload(0, MySqlServerStatus.None);
        }

        var warnings = reader.ReadUInt16();
        return new EofPayload(warnings, (MySqlServerStatus)reader.ReadUInt16());
    }
}
