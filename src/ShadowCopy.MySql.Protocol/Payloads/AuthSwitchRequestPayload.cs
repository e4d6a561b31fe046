using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>Protocol::AuthSwitchRequest: 0xFE, plugin name, plugin data (usually a new 20-byte scramble + NUL).</summary>
internal sealed record AuthSwitchRequestPayload(string PluginName, byte[] Data)
{
    public static AuthSwitchRequestPayload Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PacketReader(payload);
        if (reader.ReadByte() != 0xFE)
        {
            throw new FormatException("Expected an auth switch request.");
        }

        var name = reader.ReadNullTerminatedOrRestString();
        var data = reader.ReadRemaining();
        if (data.Length > 0 && data[^1] == 0)
        {
            data = data[..^1];
        }

        return new AuthSwitchRequestPayload(name, data.ToArray());
    }
}
