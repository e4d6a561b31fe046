using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.Protocol.Serialization;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Binlog;

public sealed class BinlogPositionTrackerTests
{
    [Fact]
    public void Advance_mysql_gtid_transaction_ends_at_xid_and_extends_gtid_set()
    {
        var parser = BinlogEventParserTests.Parser();
        var tracker = new BinlogPositionTracker(new BinlogPosition("binlog.000001", 4, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-41"), isMariaDb: false);
        var gtid = new PacketWriter();
        gtid.WriteByte(1);
        gtid.WriteBytes(Guid.Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562").ToByteArray(bigEndian: true));
        gtid.WriteUInt64(42);
        var events = new[]
        {
            BinlogBytes.Event(BinlogEventType.Gtid, gtid.ToArray(), 200),
            BinlogBytes.Query("BEGIN", nextPosition: 300),
            RowsEventTests.TableMapEvent(),
            BinlogBytes.Xid(9, 1500),
        };
        var results = events.Select(e => Step(parser, tracker, e)).ToList();
        Assert.Equal(new[] { false, false, false, true }, results.Select(r => r.IsTransactionEnd));
        Assert.Equal("binlog.000001:1500 gtid=3e11fa47-71ca-11e1-9e33-c80aa9429562:1-42", results[^1].Position.ToString());
        Assert.Equal(results[^1].Position, tracker.LastTransactionEnd);
        Assert.Equal(300, results[1].Position.Position);
        Assert.Equal("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-41", results[1].Position.GtidSet);
    }

    [Fact]
    public void Advance_ddl_outside_begin_and_commit_query_end_transactions()
    {
        var parser = BinlogEventParserTests.Parser();
        var tracker = new BinlogPositionTracker(new BinlogPosition("f", 4), isMariaDb: false);
        Assert.True(Step(parser, tracker, BinlogBytes.Query("CREATE TABLE t (a INT)")).IsTransactionEnd);
        Assert.False(Step(parser, tracker, BinlogBytes.Query("BEGIN")).IsTransactionEnd);
        Assert.False(Step(parser, tracker, BinlogBytes.Query("INSERT INTO m VALUES (1)")).IsTransactionEnd);
        Assert.True(Step(parser, tracker, BinlogBytes.Query("COMMIT")).IsTransactionEnd);
    }

    [Fact]
    public void Advance_mariadb_standalone_gtid_ends_with_its_statement_and_rotate_moves_file()
    {
        var parser = BinlogEventParserTests.Parser();
        var tracker = new BinlogPositionTracker(new BinlogPosition("mariadb-bin.000001", 4, "0-1-10"), isMariaDb: true);
        Step(parser, tracker, BinlogBytes.Event(BinlogEventType.MariaDbGtid, Hex.Bytes("0b 00 00 00 00 00 00 00 00 00 00 00 01"), 700));
        var ddl = Step(parser, tracker, BinlogBytes.Query("ALTER TABLE t ADD c INT", nextPosition: 800));
        Assert.True(ddl.IsTransactionEnd);
        Assert.Equal("mariadb-bin.000001:800 gtid=0-1-11", ddl.Position.ToString());
        var rotate = Step(parser, tracker, BinlogBytes.Rotate("mariadb-bin.000002", 4, timestamp: 1));
        Assert.Equal("mariadb-bin.000002:4 gtid=0-1-11", rotate.Position.ToString());
    }

    [Fact]
    public void GtidSet_parse_merge_format_and_encode()
    {
        var set = MySqlGtidSet.Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7, 3e11fa47-71ca-11e1-9e33-c80aa9429562:6");
        Assert.Equal("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7", set.ToString());
        var writer = new PacketWriter();
        set.Encode(writer);
        Assert.Equal(set.EncodedLength, writer.Length);
        var reader = new PacketReader(writer.WrittenSpan);
        Assert.Equal(1UL, reader.ReadUInt64());
        Assert.Equal(Guid.Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562"), new Guid(reader.ReadSpan(16), bigEndian: true));
        Assert.Equal(1UL, reader.ReadUInt64());
        Assert.Equal(1UL, reader.ReadUInt64());
        Assert.Equal(8UL, reader.ReadUInt64());
        Assert.Throws<FormatException>(() => MySqlGtidSet.Parse("nonsense:1"));
        Assert.Equal("0-1-5,2-3-9", MariaDbGtidState.Parse("2-3-9,0-1-5").ToString());
        Assert.Throws<FormatException>(() => MariaDbGtidState.Parse("0-1"));
    }

    private static BinlogEvent Step(BinlogEventParser parser, BinlogPositionTracker tracker, byte[] bytes)
    {
        var e = parser.Parse(bytes, out var header);
        tracker.Advance(header, e);
        return e!;
    }
}
