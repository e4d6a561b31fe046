using System.Text;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>ERR_Packet: 0xFF, error code, optional '#' + SQLSTATE, message.</summary>
internal sealed record ErrorPayload(int ErrorCode, string SqlState, string Message)
{
    public static ErrorPayload Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PacketReader(payload);
        var header = reader.ReadByte();
        if (header != 0xFF)
        {
            throw new FormatException($"Expected an ERR packet, got header 0x{header:X2}.");
        }

        var code = reader.ReadUInt16();
        var state = "HY000";
        if (!reader.IsAtEnd && reader.PeekByte() == (byte)'#')
        {
            reader.ReadByte();
            state = Encoding.ASCII.GetString(reader.ReadSpan(5));
        }

        return new ErrorPayload(code, state, Encoding.UTF8.GetString(reader.ReadRemaining()));
    }

    public MySqlServerException ToException() => new(ErrorCode, SqlState, $"Error {ErrorCode} ({SqlState}): {Message}");
}
