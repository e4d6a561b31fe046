using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.Protocol.Serialization;
using ShadowCopy.MySql.Protocol.Tests.Fakes;
using ZstdSharp;

namespace ShadowCopy.MySql.Protocol.Tests.Binlog;

/// <summary>TRANSACTION_PAYLOAD_EVENT (binlog_transaction_compression=ON): field header, zstd, inner events without checksums.</summary>
public sealed class TransactionPayloadTests
{
    /// <summary>
    /// A zstd payload a MySQL 8.0.27 server wrote for one transaction (QUERY, then TABLE_MAP + WRITE_ROWS_v2,
    /// TABLE_MAP + UPDATE_ROWS_v2, TABLE_MAP + DELETE_ROWS_v2, XID). Public test vector from go-mysql,
    /// replication/transaction_payload_event_test.go, TestTransactionPayloadEventDecode (BSD-3-Clause);
    /// only these bytes are taken, no code.
    /// </summary>
    private static readonly byte[] MySql8027Payload = Hex.Bytes(
        "28 b5 2f fd 00 58 bc 0a 00 f6 13 44 35 60 45 d3 1c 00 92 80 a2 43 5d 92 e0 70 43 c5 30 0c 12 9c "
        + "df cd fa 0d 1a 06 11 11 91 05 79 83 3e 4a 41 da bb b5 6e d4 b7 b0 36 45 98 23 74 0d 6b 3c fa de "
        + "24 05 37 00 34 00 36 00 ec 97 4b fe 33 04 9c 27 eb 41 e2 10 69 78 45 d9 6a 52 41 91 a0 28 6b a9 "
        + "50 50 e8 af 83 5f 87 1c c2 a8 15 d5 34 fe 3f 72 f1 07 bb c2 ef 78 c1 07 0e f1 9f 35 9c 27 2b 52 "
        + "8c f4 49 67 fb 3e 7a 2d ec 5a a5 8d d6 81 53 fe cd e2 7f fb d5 bc 35 00 ff d9 02 ce 93 f5 2b d3 "
        + "b4 33 d6 38 a3 19 64 9a e6 5d 75 9d 58 6c e9 09 02 c7 03 f3 3a cf 85 11 52 2a 25 7c d1 75 8d ae "
        + "75 9c 87 c6 87 fd 0a 98 0c 38 4f 18 8c 35 65 6c 9b de e7 1e 28 59 e9 38 77 ba 48 8a b1 3e 91 8d "
        + "e4 8c ee eb 5a 6f f7 75 01 ff ff 3f 22 e1 3f 73 e0 6c 61 87 0f 9c a7 eb b2 aa ad ba 56 2e ff 05 "
        + "02 4c 19 53 e8 76 cf ea ae e4 40 55 82 8f 46 11 84 de 9c 33 42 ea 60 43 d2 94 8f 0c 18 00 56 15 "
        + "08 52 d0 00 10 06 ac 2e d7 32 8a a4 84 0c 48 42 80 44 9a e5 02 37 9b 87 24 02 01 3d 86 50 4d 3e "
        + "91 39 40 0d b0 af f0 09 fa 9a 1e 43 d4 60 82 84 37 81 78 55 cd 00 0c 27 78 10 08 0d 06 19 80 17 "
        + "01 00 00");

    [Fact]
    public void Parse_mysql_8_0_27_zstd_payload_yields_its_transaction_in_order()
    {
        var inflated = Inflate(MySql8027Payload);
        var parser = new BinlogEventParser(BinlogChecksumAlgorithm.Crc32, verifyChecksum: true);
        parser.Parse(BinlogBytes.FormatDescription("8.0.27"), out _);

        var payload = Assert.IsType<TransactionPayloadEvent>(parser.Parse(PayloadEvent(MySql8027Payload, compression: 0, inflated.Length), out _));

        Assert.Equal(0UL, payload.CompressionType);
        Assert.Equal(inflated.Length, payload.UncompressedSize);
        Assert.Equal(
            [BinlogEventType.Query, BinlogEventType.TableMap, BinlogEventType.WriteRowsV2, BinlogEventType.TableMap, BinlogEventType.UpdateRowsV2, BinlogEventType.TableMap, BinlogEventType.DeleteRowsV2, BinlogEventType.Xid],
            payload.Events.Select(e => e.Header.EventType));
        Assert.IsType<WriteRowsEvent>(payload.Events[2].Event);
        var update = Assert.IsType<UpdateRowsEvent>(payload.Events[4].Event);
        Assert.All(update.Rows, r => Assert.NotNull(r.Before));
        Assert.NotEmpty(Assert.IsType<DeleteRowsEvent>(payload.Events[6].Event).Rows);
        Assert.IsType<XidEvent>(payload.Events[7].Event);
        Assert.Equal(BinlogChecksumAlgorithm.Crc32, parser.Checksum);
    }

    [Fact]
    public void Parse_uncompressed_payload_of_our_own_events_round_trips_and_keeps_outer_checksums()
    {
        var inner = Concat(BinlogBytes.Query("BEGIN", nextPosition: 0, checksum: false), BinlogBytes.Xid(77, nextPosition: 0, checksum: false));
        var parser = new BinlogEventParser(BinlogChecksumAlgorithm.Crc32, verifyChecksum: true);
        var payload = Assert.IsType<TransactionPayloadEvent>(parser.Parse(PayloadEvent(inner, compression: 255, inner.Length), out _));
        Assert.Equal(77UL, Assert.IsType<XidEvent>(payload.Events[1].Event).Xid);

        // The next outer event still carries (and is checked against) its CRC32.
        Assert.Equal(78UL, Assert.IsType<XidEvent>(parser.Parse(BinlogBytes.Xid(78), out _)).Xid);
    }

    [Fact]
    public void Parse_zstd_payload_compressed_here_equals_the_uncompressed_one()
    {
        var inner = Concat(BinlogBytes.Query("BEGIN", nextPosition: 0, checksum: false), BinlogBytes.Xid(5, nextPosition: 0, checksum: false));
        using var compressor = new Compressor(3);
        var compressed = compressor.Wrap(inner).ToArray();
        var payload = Assert.IsType<TransactionPayloadEvent>(Parser().Parse(PayloadEvent(compressed, compression: 0, inner.Length), out _));
        Assert.Equal([BinlogEventType.Query, BinlogEventType.Xid], payload.Events.Select(e => e.Header.EventType));
    }

    [Theory]
    [InlineData("size")]
    [InlineData("uncompressed-size")]
    [InlineData("corrupt-frame")]
    [InlineData("truncated-inner-event")]
    [InlineData("huge")]
    public void Parse_inconsistent_payload_fails_with_format_error(string defect)
    {
        var inner = Concat(BinlogBytes.Query("BEGIN", nextPosition: 0, checksum: false), BinlogBytes.Xid(5, nextPosition: 0, checksum: false));
        using var compressor = new Compressor(3);
        var compressed = compressor.Wrap(inner).ToArray();
        var body = defect switch
        {
            "size" => PayloadBody(compressed, 0, inner.Length, declaredSize: compressed.Length + 1),
            "uncompressed-size" => PayloadBody(compressed, 0, inner.Length + 5),
            "corrupt-frame" => PayloadBody([.. compressed.Take(6), .. new byte[compressed.Length - 6]], 0, inner.Length),
            "truncated-inner-event" => PayloadBody(inner[..^3], 255, inner.Length - 3),
            _ => PayloadBody(compressed, 0, (1L << 30) + 1),
        };
        Assert.Throws<FormatException>(() => Parser().Parse(BinlogBytes.Event(BinlogEventType.TransactionPayload, body), out _));
    }

    [Fact]
    public void Parse_unknown_compression_type_is_refused_by_name()
    {
        var error = Assert.Throws<MySqlProtocolException>(() => Parser().Parse(PayloadEvent([1, 2, 3], compression: 7, 3), out _));
        Assert.Contains("compression type 7", error.Message, StringComparison.Ordinal);
    }

    private static BinlogEventParser Parser() => new(BinlogChecksumAlgorithm.Crc32, verifyChecksum: true);

    private static byte[] Inflate(byte[] frame)
    {
        using var decompressor = new Decompressor();
        return decompressor.Unwrap(frame).ToArray();
    }

    private static byte[] PayloadEvent(byte[] payload, ulong compression, long uncompressedSize) =>
        BinlogBytes.Event(BinlogEventType.TransactionPayload, PayloadBody(payload, compression, uncompressedSize));

    /// <summary>Fields as the server writes them: type, length, value, each a packed integer; type 0 ends the header.</summary>
    private static byte[] PayloadBody(byte[] payload, ulong compression, long uncompressedSize, long? declaredSize = null)
    {
        var w = new PacketWriter();
        Field(w, 2, compression);
        Field(w, 3, (ulong)uncompressedSize);
        Field(w, 1, (ulong)(declaredSize ?? payload.Length));
        w.WriteLengthEncodedInteger(0);
        w.WriteBytes(payload);
        return w.ToArray();
    }

    private static void Field(PacketWriter w, ulong type, ulong value)
    {
        var v = new PacketWriter();
        v.WriteLengthEncodedInteger(value);
        w.WriteLengthEncodedInteger(type);
        w.WriteLengthEncodedInteger((ulong)v.WrittenSpan.Length);
        w.WriteBytes(v.WrittenSpan);
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
