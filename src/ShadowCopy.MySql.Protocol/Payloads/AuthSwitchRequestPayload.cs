using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>
/// Protocol::AuthSwitchRequest: 0xFE, plugin name, plugin data (usually a new 20-byte scramble + NUL).
/// <see cref="Data"/> drops that NUL; <see cref="RawData"/> keeps every byte, for plugins whose data is
/// not NUL-terminated (client_ed25519's 32-byte nonce may itself end in a zero byte).
/// </summary>
internal sealed record AuthSwitchRequestPayload(string PluginName, byte[] Data, byte[] RawData)
{
    public static AuthSwitchRequestPayload Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PacketReader(payload);
        if (reader.ReadByte() != 0xFE)
        {
            throw new FormatException("Expected an auth switch request.");
        }

        var name = reader.ReadNullTerminatedOrRestString();
        var raw = reader.ReadRemaining();
        var data = raw;
        if (data.Length > 0 && data[^1] == 0)
        {
            data = data[..^1];
        }

        return new AuthSwitchRequestPayload(name, data.ToArray(), raw.ToArray());
    }
}
