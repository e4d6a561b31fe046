using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>Protocol::HandshakeResponse41 and its 32-byte prefix, Protocol::SSLRequest.</summary>
internal static class HandshakeResponsePayload
{
    /// <summary>utf8mb4_general_ci: understood by every MySQL 5.5.3+ and MariaDB server.</summary>
    public const byte Utf8Mb4GeneralCi = 45;

    private const uint MaxPacket = 0x4000_0000;

    public static byte[] CreateSslRequest(CapabilityFlags capabilities)
    {
        var writer = new PacketWriter(32);
        WritePrefix(writer, capabilities);
        return writer.ToArray();
    }

    public static byte[] Create(CapabilityFlags capabilities, string user, ReadOnlySpan<byte> authResponse, string? database, string authPluginName)
    {
        var writer = new PacketWriter(128);
        WritePrefix(writer, capabilities);
        writer.WriteNullTerminatedString(user);
        if ((capabilities & CapabilityFlags.PluginAuthLengthEncodedClientData) != 0)
        {
            writer.WriteLengthEncodedBytes(authResponse);
        }
        else
        {
            if (authResponse.Length > 255)
            {
                throw new MySqlProtocolException("Authentication response too long for a server without lenenc client data.");
            }

            writer.WriteByte((byte)authResponse.Length);
            writer.WriteBytes(authResponse);
        }

        if ((capabilities & CapabilityFlags.ConnectWithDb) != 0)
        {
            writer.WriteNullTerminatedString(database ?? string.Empty);
        }

        if ((capabilities & CapabilityFlags.PluginAuth) != 0)
        {
            writer.WriteNullTerminatedString(authPluginName);
        }

        return writer.ToArray();
    }

    private static void WritePrefix(PacketWriter writer, CapabilityFlags capabilities)
    {
        writer.WriteUInt32((uint)capabilities);
        writer.WriteUInt32(MaxPacket);
        writer.WriteByte(Utf8Mb4GeneralCi);
        writer.WriteZeros(23);
    }
}
