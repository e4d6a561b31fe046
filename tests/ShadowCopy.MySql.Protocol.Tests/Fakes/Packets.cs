using System.Text;
using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Tests.Fakes;

/// <summary>Server packets built field by field from the protocol documentation.</summary>
internal static class Packets
{
    public const CapabilityFlags ServerCapabilities =
        CapabilityFlags.LongPassword | CapabilityFlags.FoundRows | CapabilityFlags.LongFlag | CapabilityFlags.ConnectWithDb
        | CapabilityFlags.Protocol41 | CapabilityFlags.Transactions | CapabilityFlags.SecureConnection | CapabilityFlags.MultiStatements
        | CapabilityFlags.MultiResults | CapabilityFlags.PsMultiResults | CapabilityFlags.PluginAuth
        | CapabilityFlags.PluginAuthLengthEncodedClientData | CapabilityFlags.DeprecateEof;

    public static byte[] Handshake(string version, string plugin, byte[] scramble, bool ssl, CapabilityFlags without = CapabilityFlags.None)
    {
        var caps = (uint)((ServerCapabilities | (ssl ? CapabilityFlags.Ssl : 0)) & ~without);
        var w = new PacketWriter();
        w.WriteByte(10);
        w.WriteNullTerminatedString(version);
        w.WriteUInt32(42); // connection id
        w.WriteBytes(scramble.AsSpan(0, 8));
        w.WriteByte(0);
        w.WriteUInt16((ushort)caps);
        w.WriteByte(45);
        w.WriteUInt16(2); // autocommit
        w.WriteUInt16((ushort)(caps >> 16));
        w.WriteByte(21);
        w.WriteZeros(10);
        w.WriteBytes(scramble.AsSpan(8));
        w.WriteByte(0);
        w.WriteNullTerminatedString(plugin);
        return w.ToArray();
    }

    public static byte[] Ok(ulong affected = 0, ulong insertId = 0, ushort status = 2, ushort warnings = 0, byte header = 0x00)
    {
        var w = new PacketWriter();
        w.WriteByte(header);
        w.WriteLengthEncodedInteger(affected);
        w.WriteLengthEncodedInteger(insertId);
        w.WriteUInt16(status);
        w.WriteUInt16(warnings);
        return w.ToArray();
    }

    public static byte[] Error(ushort code, string state, string message)
    {
        var w = new PacketWriter();
        w.WriteByte(0xFF);
        w.WriteUInt16(code);
        w.WriteByte((byte)'#');
        w.WriteString(state);
        w.WriteString(message);
        return w.ToArray();
    }

    public static byte[] AuthSwitch(string plugin, byte[] data)
    {
        var w = new PacketWriter();
        w.WriteByte(0xFE);
        w.WriteNullTerminatedString(plugin);
        w.WriteBytes(data);
        w.WriteByte(0);
        return w.ToArray();
    }

    public static byte[] MoreData(params byte[] data) => [0x01, .. data];

    public static byte[] Column(string name, MySqlColumnType type, ushort collation = 45, ushort flags = 0, byte decimals = 0)
    {
        var w = new PacketWriter();
        w.WriteLengthEncodedString("def");
        w.WriteLengthEncodedString("db");
        w.WriteLengthEncodedString("t");
        w.WriteLengthEncodedString("t");
        w.WriteLengthEncodedString(name);
        w.WriteLengthEncodedString(name);
        w.WriteByte(0x0C);
        w.WriteUInt16(collation);
        w.WriteUInt32(255);
        w.WriteByte((byte)type);
        w.WriteUInt16(flags);
        w.WriteByte(decimals);
        w.WriteZeros(2);
        return w.ToArray();
    }

    /// <summary>A text row; null entries become the 0xFB NULL marker.</summary>
    public static byte[] Row(params string?[] values)
    {
        var w = new PacketWriter();
        foreach (var value in values)
        {
            if (value is null)
            {
                w.WriteByte(0xFB);
            }
            else
            {
                w.WriteLengthEncodedBytes(Encoding.UTF8.GetBytes(value));
            }
        }

        return w.ToArray();
    }

    public static byte[] ColumnCount(int count) => [(byte)count];
}
