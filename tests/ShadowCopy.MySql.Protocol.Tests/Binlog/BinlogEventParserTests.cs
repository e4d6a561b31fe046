using System.Text;
using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.Protocol.Serialization;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Binlog;

public sealed class BinlogEventParserTests
{
    private static readonly Guid SourceId = Guid.Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562");

    [Fact]
    public void Crc32_check_value_matches_standard()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public void Crc32_equals_the_bitwise_definition_at_every_length_and_alignment()
    {
        var data = new byte[300];
        new Random(8).NextBytes(data);
        for (var start = 0; start < 9; start++)
        {
            for (var length = 0; start + length <= data.Length; length += 1 + (length / 16))
            {
                var span = data.AsSpan(start, length);
                Assert.Equal(BitwiseCrc32(span), Crc32.Compute(span));
            }
        }
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB8_8320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    [Fact]
    public void Parse_format_description_reads_versions_post_headers_and_checksum()
    {
        var parser = new BinlogEventParser(BinlogChecksumAlgorithm.Off, verifyChecksum: true);
        var fde = Assert.IsType<FormatDescriptionEvent>(parser.Parse(BinlogBytes.FormatDescription(), out _));
        Assert.Equal(4, fde.BinlogVersion);
        Assert.Equal("8.0.36", fde.ServerVersion);
        Assert.Equal(BinlogChecksumAlgorithm.Crc32, fde.ChecksumAlgorithm);
        Assert.Equal(13, fde.GetPostHeaderLength(BinlogEventType.Query, 0));
        Assert.Equal(10, fde.GetPostHeaderLength(BinlogEventType.WriteRowsV2, 0));
        Assert.Equal(99, fde.GetPostHeaderLength((BinlogEventType)200, 99));
        Assert.Equal(BinlogChecksumAlgorithm.Crc32, parser.Checksum);
    }

    [Fact]
    public void Parse_format_description_without_checksum_switches_checksums_off()
    {
        var parser = new BinlogEventParser(BinlogChecksumAlgorithm.Crc32, verifyChecksum: true);
        var fde = Assert.IsType<FormatDescriptionEvent>(parser.Parse(BinlogBytes.FormatDescription(checksum: false), out _));
        Assert.Equal(BinlogChecksumAlgorithm.Off, fde.ChecksumAlgorithm);
        var xid = Assert.IsType<XidEvent>(parser.Parse(BinlogBytes.Event(BinlogEventType.Xid, Hex.Bytes("05 00 00 00 00 00 00 00"), checksum: false), out _));
        Assert.Equal(5UL, xid.Xid);
    }

    [Fact]
    public void Parse_rotate_reads_file_and_position()
    {
        var rotate = Assert.IsType<RotateEvent>(Parser().Parse(BinlogBytes.Rotate("binlog.000002", 4), out var header));
        Assert.Equal("binlog.000002", rotate.NextFileName);
        Assert.Equal(4UL, rotate.NextPosition);
        Assert.True(rotate.IsArtificial);
        Assert.Equal(BinlogEventType.Rotate, header.EventType);
    }

    [Fact]
    public void Parse_query_skips_status_vars_and_reads_database_and_sql()
    {
        var query = Assert.IsType<QueryEvent>(Parser().Parse(BinlogBytes.Query("BEGIN", "shop"), out _));
        Assert.Equal("shop", query.DatabaseName);
        Assert.Equal("BEGIN", query.Sql);
        Assert.True(query.IsBegin);
        Assert.Equal(7u, query.ThreadId);
    }

    [Fact]
    public void Parse_xid_reads_transaction_id()
    {
        Assert.Equal(0x0102030405060708UL, Assert.IsType<XidEvent>(Parser().Parse(BinlogBytes.Xid(0x0102030405060708), out _)).Xid);
    }

    [Fact]
    public void Parse_mysql_gtid_reads_uuid_gno_and_logical_clock()
    {
        var w = new PacketWriter();
        w.WriteByte(1);
        w.WriteBytes(SourceId.ToByteArray(bigEndian: true));
        w.WriteUInt64(42);
        w.WriteByte(2);
        w.WriteUInt64(5);
        w.WriteUInt64(6);
        var gtid = Assert.IsType<GtidEvent>(Parser().Parse(BinlogBytes.Event(BinlogEventType.Gtid, w.ToArray()), out _));
        Assert.Equal("3e11fa47-71ca-11e1-9e33-c80aa9429562:42", gtid.Gtid);
        Assert.Equal(5, gtid.LastCommitted);
        Assert.Equal(6, gtid.SequenceNumber);
        Assert.False(gtid.IsAnonymous);
    }

    [Fact]
    public void Parse_mariadb_gtid_reads_domain_sequence_flags_and_commit_id()
    {
        var body = Hex.Bytes("64 00 00 00 00 00 00 00  02 00 00 00  03  09 00 00 00 00 00 00 00");
        var gtid = Assert.IsType<MariaDbGtidEvent>(Parser().Parse(BinlogBytes.Event(BinlogEventType.MariaDbGtid, body, serverId: 7), out _));
        Assert.Equal("2-7-100", gtid.Gtid);
        Assert.True(gtid.IsStandalone);
        Assert.Equal(9UL, gtid.CommitId);
    }

    [Fact]
    public void Parse_annotate_rows_and_rows_query_read_statement()
    {
        Assert.Equal("INSERT INTO t VALUES (1)", Assert.IsType<AnnotateRowsEvent>(Parser().Parse(BinlogBytes.Event(BinlogEventType.MariaDbAnnotateRows, "INSERT INTO t VALUES (1)"u8.ToArray()), out _)).Sql);
        Assert.Equal("DELETE FROM t", Assert.IsType<AnnotateRowsEvent>(Parser().Parse(BinlogBytes.Event(BinlogEventType.RowsQuery, [13, .. "DELETE FROM t"u8.ToArray()]), out _)).Sql);
    }

    [Fact]
    public void Parse_heartbeat_reads_current_file()
    {
        var heartbeat = Assert.IsType<HeartbeatEvent>(Parser().Parse(BinlogBytes.Event(BinlogEventType.Heartbeat, "binlog.000009"u8.ToArray()), out _));
        Assert.Equal("binlog.000009", heartbeat.FileName);
    }

    [Fact]
    public void Parse_unknown_event_type_is_skipped()
    {
        Assert.Null(Parser().Parse(BinlogBytes.Event((BinlogEventType)222, [1, 2, 3]), out var header));
        Assert.Equal((BinlogEventType)222, header.EventType);
        Assert.Null(Parser().Parse(BinlogBytes.Event(BinlogEventType.PreviousGtids, new byte[8]), out _));
    }

    [Fact]
    public void Parse_checksum_mismatch_throws_protocol()
    {
        var bytes = BinlogBytes.Xid(1);
        bytes[BinlogEventHeader.Size] ^= 0x01;
        var error = Assert.Throws<MySqlProtocolException>(() => Parser().Parse(bytes, out _));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_partial_json_update_is_rejected_with_clear_error()
    {
        var error = Assert.Throws<MySqlProtocolException>(() => Parser().Parse(BinlogBytes.Event(BinlogEventType.PartialUpdateRows, new byte[12]), out _));
        Assert.Contains("PARTIAL_JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_rows_without_table_map_throws_protocol()
    {
        Assert.Throws<MySqlProtocolException>(() => Parser().Parse(BinlogBytes.Event(BinlogEventType.WriteRowsV2, Hex.Bytes("01 00 00 00 00 00 01 00 02 00 01 ff 00 01")), out _));
    }

    [Fact]
    public void Parse_size_mismatch_throws_format()
    {
        var bytes = BinlogBytes.Xid(1);
        Assert.Throws<FormatException>(() => Parser().Parse(bytes[..^1], out _));
    }

    internal static BinlogEventParser Parser()
    {
        var parser = new BinlogEventParser(BinlogChecksumAlgorithm.Crc32, verifyChecksum: true);
        parser.Parse(BinlogBytes.FormatDescription(), out _);
        return parser;
    }
}
