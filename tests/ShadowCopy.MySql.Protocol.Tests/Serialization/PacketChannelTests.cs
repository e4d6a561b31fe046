using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Tests.Serialization;

public sealed class PacketChannelTests
{
    [Fact]
    public async Task WritePayloadAsync_small_payload_frames_with_length_and_sequence()
    {
        var stream = new MemoryStream();
        var channel = new PacketChannel(stream) { SequenceId = 3 };
        await channel.WritePayloadAsync(new byte[] { 0x0E }, CancellationToken.None);
        Assert.Equal(new byte[] { 1, 0, 0, 3, 0x0E }, stream.ToArray());
        Assert.Equal(4, channel.SequenceId);
    }

    [Fact]
    public async Task WritePayloadAsync_exactly_16mb_adds_empty_trailing_packet()
    {
        var stream = new MemoryStream();
        var channel = new PacketChannel(stream);
        await channel.WritePayloadAsync(new byte[PacketChannel.MaxPacketSize], CancellationToken.None);
        var bytes = stream.ToArray();
        Assert.Equal(4 + PacketChannel.MaxPacketSize + 4, bytes.Length);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0 }, bytes[..4]);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, bytes[^4..]);
    }

    [Fact]
    public async Task ReadPayloadAsync_multi_packet_payload_reassembles()
    {
        var payload = new byte[PacketChannel.MaxPacketSize + 10];
        Random.Shared.NextBytes(payload);
        var stream = new MemoryStream();
        await new PacketChannel(stream).WritePayloadAsync(payload, CancellationToken.None);
        stream.Position = 0;
        var read = await new PacketChannel(stream).ReadPayloadAsync(CancellationToken.None);
        Assert.True(read.Span.SequenceEqual(payload));
    }

    [Fact]
    public async Task ReadPayloadAsync_wrong_sequence_throws_protocol()
    {
        var channel = new PacketChannel(new MemoryStream([1, 0, 0, 5, 0]));
        await Assert.ThrowsAsync<MySqlProtocolException>(async () => await channel.ReadPayloadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReadPayloadAsync_stream_ends_mid_packet_throws_io()
    {
        var channel = new PacketChannel(new MemoryStream([5, 0, 0, 0, 1, 2]));
        await Assert.ThrowsAsync<MySqlIOException>(async () => await channel.ReadPayloadAsync(CancellationToken.None));
    }
}
