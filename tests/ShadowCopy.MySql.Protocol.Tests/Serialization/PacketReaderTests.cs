using ShadowCopy.MySql.Protocol.Serialization;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Serialization;

public sealed class PacketReaderTests
{
    [Theory]
    [InlineData("fa", 250UL)]
    [InlineData("fc fb 00", 251UL)]
    [InlineData("fc ff ff", 65535UL)]
    [InlineData("fd 00 00 01", 65536UL)]
    [InlineData("fe 00 00 00 01 00 00 00 00", 16777216UL)]
    [InlineData("fe ff ff ff ff ff ff ff ff", ulong.MaxValue)]
    public void ReadLengthEncodedInteger_documented_forms_decode(string hex, ulong expected)
    {
        var reader = new PacketReader(Hex.Bytes(hex));
        Assert.Equal(expected, reader.ReadLengthEncodedInteger());
        Assert.True(reader.IsAtEnd);
    }

    [Theory]
    [InlineData("fb")]
    [InlineData("ff")]
    [InlineData("fc 01")]
    [InlineData("fd 01 02")]
    [InlineData("fe 01 02 03 04 05 06 07")]
    [InlineData("")]
    public void ReadLengthEncodedInteger_invalid_or_truncated_throws_format(string hex)
    {
        Assert.Throws<FormatException>(() => new PacketReader(Hex.Bytes(hex)).ReadLengthEncodedInteger());
    }

    [Fact]
    public void ReadLengthEncodedBytes_length_past_end_throws_format()
    {
        Assert.Throws<FormatException>(() => new PacketReader(Hex.Bytes("05 61 62")).ReadLengthEncodedBytes().ToArray());
    }

    [Fact]
    public void ReadNullTerminatedString_without_terminator_throws_format()
    {
        Assert.Throws<FormatException>(() => new PacketReader(Hex.Bytes("61 62 63")).ReadNullTerminatedString());
    }

    [Fact]
    public void ReadFixedWidth_little_and_big_endian_decode()
    {
        var reader = new PacketReader(Hex.Bytes("01 02 03 04 05 06 01 02 03"));
        Assert.Equal(0x060504030201UL, reader.ReadUInt48());
        Assert.Equal(0x010203UL, reader.ReadBigEndianUInt(3));
        Assert.Throws<FormatException>(() => new PacketReader(Hex.Bytes("01 02")).ReadUInt24());
    }

    [Fact]
    public void TryReadLengthEncodedNullable_null_marker_returns_false()
    {
        var reader = new PacketReader(Hex.Bytes("fb 01 78"));
        Assert.False(reader.TryReadLengthEncodedNullable(out _));
        Assert.True(reader.TryReadLengthEncodedNullable(out var value));
        Assert.Equal("x"u8.ToArray(), value.ToArray());
    }

    [Fact]
    public void PacketWriter_length_encoded_round_trips_every_width()
    {
        foreach (var value in new ulong[] { 0, 250, 251, 65535, 65536, 16777215, 16777216, ulong.MaxValue })
        {
            var writer = new PacketWriter();
            writer.WriteLengthEncodedInteger(value);
            Assert.Equal(value, new PacketReader(writer.WrittenSpan).ReadLengthEncodedInteger());
        }
    }
}
