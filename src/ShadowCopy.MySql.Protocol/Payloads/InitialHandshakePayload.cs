using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>Protocol::HandshakeV10, the first packet the server sends.</summary>
internal sealed record InitialHandshakePayload(
    string ServerVersion,
    uint ConnectionId,
    byte[] Scramble,
    CapabilityFlags Capabilities,
    byte CharacterSet,
    MySqlServerStatus Status,
    string AuthPluginName)
{
    public bool IsMariaDb => ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);

    public static InitialHandshakePayload Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PacketReader(payload);
        var first = reader.PeekByte();
        if (first == 0xFF)
        {
            throw ErrorPayload.Parse(payload).ToException();
        }

        var protocolVersion = reader.ReadByte();
        if (protocolVersion != 10)
        {
            throw new MySqlProtocolException($"Unsupported handshake protocol version {protocolVersion}; only v10 is supported.");
        }

        var serverVersion = reader.ReadNullTerminatedString();
        var connectionId = reader.ReadUInt32();
        var part1 = reader.ReadSpan(8);
        reader.ReadByte(); // filler
        var capabilities = (CapabilityFlags)reader.ReadUInt16();
        byte charset = 0;
        var status = MySqlServerStatus.None;
        var pluginName = "mysql_native_password";
        byte[] scramble = part1.ToArray();
        if (!reader.IsAtEnd)
        {
            charset = reader.ReadByte();
            status = (MySqlServerStatus)reader.ReadUInt16();
            capabilities |= (CapabilityFlags)((uint)reader.ReadUInt16() << 16);
            var authDataLength = reader.ReadByte();
            reader.Skip(10); // reserved (MariaDB keeps its extended capabilities in the last four)
            if ((capabilities & CapabilityFlags.SecureConnection) != 0)
            {
                var part2Length = Math.Max(13, authDataLength - 8);
                var part2 = reader.ReadSpan(Math.Min(part2Length, reader.Remaining));
                // The last byte of part 2 is a NUL terminator, not scramble data.
                if (part2.Length > 0 && part2[^1] == 0)
                {
                    part2 = part2[..^1];
                }

                scramble = [.. part1, .. part2];
            }

            if ((capabilities & CapabilityFlags.PluginAuth) != 0 && !reader.IsAtEnd)
            {
                pluginName = reader.ReadNullTerminatedOrRestString();
            }
        }

        return new InitialHandshakePayload(serverVersion, connectionId, scramble, capabilities, charset, status, pluginName);
    }
}
