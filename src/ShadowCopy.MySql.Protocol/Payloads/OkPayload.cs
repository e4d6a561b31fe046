using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>OK_Packet (header 0x00, or 0xFE when it replaces EOF under CLIENT_DEPRECATE_EOF).</summary>
internal sealed record OkPayload(ulong AffectedRows, ulong LastInsertId, MySqlServerStatus Status, int Warnings, string Info)
{
    public static OkPayload Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PacketReader(payload);
        var header = reader.ReadByte();
        if (header != 0x00 && header != 0xFE)
        {
            throw new FormatException($"Expected an OK packet, got header 0x{header:X2}.");
        }

        var affected = reader.ReadLengthEncodedInteger();
        var insertId = reader.ReadLengthEncodedInteger();
        var status = (MySqlServerStatus)reader.ReadUInt16();
        var warnings = reader.ReadUInt16();
        // Session-state tracking is not requested, so the rest is human-readable info.
        var info = reader.IsAtEnd ? string.Empty : System.Text.Encoding.UTF8.GetString(reader.ReadRemaining());
        return new OkPayload(affected, insertId, status, warnings, info);
    }
}
