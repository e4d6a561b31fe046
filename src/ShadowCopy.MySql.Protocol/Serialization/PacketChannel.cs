using System.IO;

namespace ShadowCopy.MySql.Protocol.Serialization;

/// <summary>
/// MySQL packet framing over a byte stream: 3-byte length, 1-byte sequence id, payload. Payloads of
/// 0xFFFFFF bytes or more are split into several packets and reassembled here, both ways
/// (client/server protocol, "Sending More Than 16Mb").
/// </summary>
internal sealed class PacketChannel : IAsyncDisposable
{
    internal const int MaxPacketSize = 0xFF_FFFF;

    private Stream _stream;
    private readonly byte[] _readBuffer;
    private int _readStart;
    private int _readEnd;
    private byte[] _payload = new byte[4096];
    private readonly byte[] _header = new byte[4];

    public PacketChannel(Stream stream, int readBufferSize = 65536)
    {
        _stream = stream;
        _readBuffer = new byte[readBufferSize];
    }

    /// <summary>Sequence id expected on the next packet read or used by the next packet written.</summary>
    public byte SequenceId { get; set; }

    public Stream Stream => _stream;

    /// <summary>Replaces the transport (TLS upgrade). Only valid when no unread bytes are buffered.</summary>
    public void ReplaceStream(Stream stream)
    {
        if (_readEnd != _readStart)
        {
            throw new MySqlProtocolException("The server sent data before the TLS handshake.");
        }

        _stream = stream;
    }

    /// <summary>Reads one logical payload; the memory stays valid until the next read.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadPayloadAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await ReadExactAsync(_header, cancellationToken).ConfigureAwait(false);
            var length = _header[0] | (_header[1] << 8) | (_header[2] << 16);
            var sequence = _header[3];
            if (sequence != SequenceId)
            {
                throw new MySqlProtocolException($"Packet out of order: expected sequence id {SequenceId}, got {sequence}.");
            }

            SequenceId = unchecked((byte)(sequence + 1));
            if (total + length > Array.MaxLength)
            {
                throw new MySqlProtocolException("Payload exceeds the largest supported size.");
            }

            EnsurePayloadCapacity(total + length);
            await ReadExactAsync(_payload.AsMemory(total, length), cancellationToken).ConfigureAwait(false);
            total += length;
            if (length < MaxPacketSize)
            {
                return _payload.AsMemory(0, total);
            }
        }
    }

    /// <summary>Writes one logical payload, splitting it into 16 MB packets (and a trailing empty packet when needed).</summary>
    public async ValueTask WritePayloadAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var offset = 0;
        while (true)
        {
            var chunk = Math.Min(MaxPacketSize, payload.Length - offset);
            var packet = new byte[4 + chunk];
            packet[0] = (byte)chunk;
            packet[1] = (byte)(chunk >> 8);
            packet[2] = (byte)(chunk >> 16);
            packet[3] = SequenceId;
            SequenceId = unchecked((byte)(SequenceId + 1));
            payload.Span.Slice(offset, chunk).CopyTo(packet.AsSpan(4));
            await _stream.WriteAsync(packet, cancellationToken).ConfigureAwait(false);
            offset += chunk;
            if (chunk < MaxPacketSize)
            {
                break;
            }
        }

        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync().ConfigureAwait(false);

    private void EnsurePayloadCapacity(int size)
    {
        if (_payload.Length < size)
        {
            var next = new byte[Math.Max(size, (int)Math.Min(Array.MaxLength, (long)_payload.Length * 2))];
            _payload.AsSpan().CopyTo(next);
            _payload = next;
        }
    }

    private async ValueTask ReadExactAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var copied = 0;
        while (copied < destination.Length)
        {
            if (_readStart == _readEnd)
            {
                var remaining = destination.Length - copied;
                if (remaining >= _readBuffer.Length)
                {
                    // Large payloads bypass the buffer.
                    var direct = await _stream.ReadAsync(destination[copied..], cancellationToken).ConfigureAwait(false);
                    if (direct == 0)
                    {
                        throw new MySqlIOException("The server closed the connection.");
                    }

                    copied += direct;
                    continue;
                }

                _readStart = 0;
                _readEnd = await _stream.ReadAsync(_readBuffer, cancellationToken).ConfigureAwait(false);
                if (_readEnd == 0)
                {
                    throw new MySqlIOException("The server closed the connection.");
                }
            }

            var count = Math.Min(_readEnd - _readStart, destination.Length - copied);
            _readBuffer.AsMemory(_readStart, count).CopyTo(destination[copied..]);
            _readStart += count;
            copied += count;
        }
    }
}
