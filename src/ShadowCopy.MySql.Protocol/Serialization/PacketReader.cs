using System.Buffers.Binary;
using System.Text;

namespace ShadowCopy.MySql.Protocol.Serialization;

/// <summary>
/// Bounds-checked little-endian reader over one packet or event payload. Every read that would run past
/// the end throws <see cref="FormatException"/>, so truncated input can never produce a silent value.
/// </summary>
internal ref struct PacketReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _offset;

    public PacketReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _offset = 0;
    }

    public readonly int Offset => _offset;

    public readonly int Remaining => _buffer.Length - _offset;

    public readonly bool IsAtEnd => _offset >= _buffer.Length;

    public readonly ReadOnlySpan<byte> RemainingSpan => _buffer[_offset..];

    public readonly byte PeekByte()
    {
        if (_offset >= _buffer.Length)
        {
            throw Truncated(1);
        }

        return _buffer[_offset];
    }

    public byte ReadByte() => ReadSpan(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(ReadSpan(2));

    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(ReadSpan(2));

    public int ReadUInt24()
    {
        var s = ReadSpan(3);
        return s[0] | (s[1] << 8) | (s[2] << 16);
    }

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4));

    public ulong ReadUInt48()
    {
        var s = ReadSpan(6);
        return BinaryPrimitives.ReadUInt32LittleEndian(s) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(s[4..]) << 32);
    }

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadSpan(8));

    /// <summary>Unsigned little-endian integer of 1..8 bytes.</summary>
    public ulong ReadFixedLengthUInt(int length)
    {
        var s = ReadSpan(length);
        ulong value = 0;
        for (var i = length - 1; i >= 0; i--)
        {
            value = (value << 8) | s[i];
        }

        return value;
    }

    /// <summary>Unsigned big-endian integer of 1..8 bytes (binlog temporal, BIT and DECIMAL parts).</summary>
    public ulong ReadBigEndianUInt(int length)
    {
        var s = ReadSpan(length);
        ulong value = 0;
        foreach (var b in s)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    /// <summary>Length-encoded integer (protocol "int&lt;lenenc&gt;"); 0xFB (NULL) and 0xFF are rejected here.</summary>
    public ulong ReadLengthEncodedInteger()
    {
        var first = ReadByte();
        return first switch
        {
            < 0xFB => first,
            0xFC => ReadUInt16(),
            0xFD => (ulong)ReadUInt24(),
            0xFE => ReadUInt64(),
            _ => throw new FormatException($"Invalid length-encoded integer prefix 0x{first:X2} at offset {_offset - 1}."),
        };
    }

    /// <summary>Length-encoded integer that must fit in an <see cref="int"/> length within this buffer.</summary>
    public int ReadLengthEncodedLength()
    {
        var value = ReadLengthEncodedInteger();
        if (value > (ulong)Remaining)
        {
            throw new FormatException($"Length {value} at offset {_offset} exceeds the {Remaining} remaining bytes.");
        }

        return (int)value;
    }

    /// <summary>Reads a length-encoded string in a text row; returns false for the NULL marker 0xFB.</summary>
    public bool TryReadLengthEncodedNullable(out ReadOnlySpan<byte> value)
    {
        if (PeekByte() == 0xFB)
        {
            _offset++;
            value = default;
            return false;
        }

        value = ReadLengthEncodedBytes();
        return true;
    }

    public ReadOnlySpan<byte> ReadLengthEncodedBytes() => ReadSpan(ReadLengthEncodedLength());

    public string ReadLengthEncodedString() => Encoding.UTF8.GetString(ReadLengthEncodedBytes());

    public ReadOnlySpan<byte> ReadNullTerminatedBytes()
    {
        var rest = _buffer[_offset..];
        var end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw new FormatException($"Missing NUL terminator after offset {_offset}.");
        }

        _offset += end + 1;
        return rest[..end];
    }

    public string ReadNullTerminatedString() => Encoding.UTF8.GetString(ReadNullTerminatedBytes());

    /// <summary>Reads a NUL-terminated string, or the rest of the buffer when the terminator is missing (tolerated by servers for trailing fields).</summary>
    public string ReadNullTerminatedOrRestString()
    {
        var rest = _buffer[_offset..];
        var end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            _offset = _buffer.Length;
            return Encoding.UTF8.GetString(rest);
        }

        _offset += end + 1;
        return Encoding.UTF8.GetString(rest[..end]);
    }

    public ReadOnlySpan<byte> ReadSpan(int length)
    {
        if (length < 0 || length > _buffer.Length - _offset)
        {
            throw Truncated(length);
        }

        var span = _buffer.Slice(_offset, length);
        _offset += length;
        return span;
    }

    public ReadOnlySpan<byte> ReadRemaining()
    {
        var span = _buffer[_offset..];
        _offset = _buffer.Length;
        return span;
    }

    public void Skip(int length) => ReadSpan(length);

    private readonly FormatException Truncated(int wanted) =>
        new($"Truncated payload: wanted {wanted} bytes at offset {_offset}, {_buffer.Length - _offset} remaining.");
}
