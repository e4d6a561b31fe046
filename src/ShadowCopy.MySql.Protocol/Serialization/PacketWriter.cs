using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ShadowCopy.MySql.Protocol.Serialization;

/// <summary>Growable little-endian writer for client payloads (framing is added by <see cref="PacketChannel"/>).</summary>
internal sealed class PacketWriter
{
    private byte[] _buffer;
    private int _length;

    public PacketWriter(int initialCapacity = 256)
    {
        _buffer = new byte[Math.Max(16, initialCapacity)];
    }

    public int Length => _length;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void WriteByte(byte value) => GetSpan(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), value);

    public void WriteUInt24(int value)
    {
        var s = GetSpan(3);
        s[0] = (byte)value;
        s[1] = (byte)(value >> 8);
        s[2] = (byte)(value >> 16);
    }

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(GetSpan(8), value);

    public void WriteLengthEncodedInteger(ulong value)
    {
        switch (value)
        {
            case < 0xFB:
                WriteByte((byte)value);
                break;
            case <= 0xFFFF:
                WriteByte(0xFC);
                WriteUInt16((ushort)value);
                break;
            case <= 0xFF_FFFF:
                WriteByte(0xFD);
                WriteUInt24((int)value);
                break;
            default:
                WriteByte(0xFE);
                WriteUInt64(value);
                break;
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> value) => value.CopyTo(GetSpan(value.Length));

    public void WriteLengthEncodedBytes(ReadOnlySpan<byte> value)
    {
        WriteLengthEncodedInteger((ulong)value.Length);
        WriteBytes(value);
    }

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, GetSpan(count));
    }

    public void WriteNullTerminatedString(string value)
    {
        WriteString(value);
        WriteByte(0);
    }

    public void WriteLengthEncodedString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteLengthEncodedInteger((ulong)count);
        Encoding.UTF8.GetBytes(value, GetSpan(count));
    }

    public void WriteZeros(int count) => GetSpan(count).Clear();

    public byte[] ToArray() => WrittenSpan.ToArray();

    private Span<byte> GetSpan(int size)
    {
        if (_length + size > _buffer.Length)
        {
            var newSize = Math.Max(_buffer.Length * 2, _length + size);
            var next = new byte[newSize];
            _buffer.AsSpan(0, _length).CopyTo(next);
            _buffer = next;
        }

        var span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }
}
