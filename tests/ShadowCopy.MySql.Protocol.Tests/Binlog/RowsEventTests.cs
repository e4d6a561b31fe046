using System.Text;
using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.Protocol.Serialization;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Binlog;

/// <summary>
/// A MySQL 8 TABLE_MAP with full optional metadata and rows events over it, built from the documented formats
/// (MariaDB does not produce binary JSON, nor these metadata for every type).
/// </summary>
public sealed class RowsEventTests
{
    internal const string ColumnTypes = "03 0f fe fe f5 f6 fc 12 13 11 10 0d fe ff 01 08";
    internal const string TypeMetadata = "50 00 f7 01 f8 01 04 0a 02 02 06 02 00 02 01 ee 2c 04";

    /// <summary>Values of one full row, in column order (see <see cref="Write_rows_v2_decodes_every_type"/>).</summary>
    internal const string FullRowValues =
        "ff ff ff ff  06 68 c3 a9 6c 6c 6f  02  03  21 00 00 00 " + JsonDocument
        + " 7f ff fb 2d c7  03 00 00 ff 10  99 b2 ba c8 b8 01 e2 40  7f ff ff ce  65 53 f1 00  03 ff  7c  01 00 e9  04 00 00 00 01 02 03 04  ff  ff ff ff ff ff ff ff ff";

    /// <summary>{"a": 1, "b": [true, "x"]}: small object with an inlined int16 and a small array holding an inlined literal and a string.</summary>
    internal const string JsonDocument = "00  02 00 20 00  12 00 01 00  13 00 01 00  05 01 00  02 14 00  61 62  02 00 0c 00 04 01 00 0c 0a 00 01 78";

    [Fact]
    public void Table_map_reads_types_metadata_and_optional_metadata()
    {
        var table = Assert.IsType<TableMapEvent>(Parser().Parse(TableMapEvent(), out _));
        Assert.Equal(33UL, table.TableId);
        Assert.Equal("db", table.DatabaseName);
        Assert.Equal("t", table.TableName);
        Assert.Equal(16, table.Columns.Count);
        Assert.Equal(new[] { 0 }, table.PrimaryKey);
        var c = table.Columns;
        Assert.True(c[0].IsUnsigned);
        Assert.True(c[0].IsPrimaryKey);
        Assert.False(c[0].IsNullable);
        Assert.Equal(MySqlColumnType.VarChar, c[1].Type);
        Assert.Equal(80, c[1].MaxLength);
        Assert.Equal(255, c[1].CollationId);
        Assert.Equal(MySqlColumnType.Enum, c[2].Type);
        Assert.Equal(new[] { "a", "b" }, c[2].EnumValues);
        Assert.Equal(MySqlColumnType.Set, c[3].Type);
        Assert.Equal(new[] { "x", "y" }, c[3].SetValues);
        Assert.Equal((10, 2), (c[5].Precision, c[5].Scale));
        Assert.False(c[5].IsUnsigned);
        Assert.Equal(63, c[6].CollationId);
        Assert.Equal(6, c[7].FractionalSecondsPrecision);
        Assert.Equal(10, c[10].BitLength);
        Assert.Equal(MySqlColumnType.String, c[12].Type);
        Assert.Equal(300, c[12].MaxLength);
        Assert.Equal(8, c[12].CollationId);
        Assert.Equal(1, c[13].GeometryType);
        Assert.False(c[14].IsUnsigned);
        Assert.True(c[15].IsUnsigned);
        Assert.Equal("c15", c[15].Name);
    }

    [Fact]
    public void Write_rows_v2_decodes_every_type()
    {
        var parser = Parser();
        parser.Parse(TableMapEvent(), out _);
        var write = Assert.IsType<WriteRowsEvent>(parser.Parse(RowsEvent(BinlogEventType.WriteRowsV2, "ff ff", null, "00 00 " + FullRowValues), out _));
        var row = Assert.Single(write.Rows).After!;
        Assert.Null(write.Rows[0].Before);
        Assert.Equal(uint.MaxValue, row[0]);
        Assert.Equal("héllo", row[1]);
        Assert.Equal("b", row[2]);
        Assert.Equal("x,y", row[3]);
        Assert.Equal("{\"a\": 1, \"b\": [true, \"x\"]}", row[4]);
        Assert.Equal(-1234.56m, row[5]);
        Assert.Equal(new byte[] { 0x00, 0xFF, 0x10 }, row[6]);
        Assert.Equal(new MySqlDateTime(2024, 2, 29, 12, 34, 56, 123456), row[7]);
        Assert.Equal(TimeSpan.FromMilliseconds(-500), row[8]);
        Assert.Equal(new MySqlDateTime(2023, 11, 14, 22, 13, 20, 0), row[9]);
        Assert.Equal(0x3FFUL, row[10]);
        Assert.Equal(2024, row[11]);
        Assert.Equal("é", row[12]);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, row[13]);
        Assert.Equal((sbyte)-1, row[14]);
        Assert.Equal(ulong.MaxValue, row[15]);
        Assert.Equal(-1, row.GetInt64(14));
        Assert.Equal("-1234.56", row.GetDecimalText(5));
        Assert.Equal(ulong.MaxValue, row.GetUInt64(15));
    }

    [Fact]
    public void Update_rows_v1_minimal_image_reports_missing_columns_not_null()
    {
        var parser = Parser();
        parser.Parse(TableMapEvent(), out _);
        var update = Assert.IsType<UpdateRowsEvent>(parser.Parse(RowsEvent(BinlogEventType.UpdateRowsV1, "01 00", "01 40", "00 01 00 00 00  02 01 00 00 00"), out _));
        var change = Assert.Single(update.Rows);
        Assert.Equal(1u, change.Before![0]);
        Assert.Same(BinlogMissingValue.Instance, change.Before[14]);
        Assert.False(change.Before.IsPresent(1));
        Assert.Equal(1u, change.After![0]);
        Assert.True(change.After.IsPresent(14));
        Assert.True(change.After.IsNull(14));
        Assert.Null(change.After[14]);
        Assert.Same(BinlogMissingValue.Instance, change.After[1]);
        Assert.Throws<InvalidOperationException>(() => change.After.GetRaw(1));
    }

    [Fact]
    public void Delete_rows_v2_null_bitmap_marks_nulls()
    {
        var parser = Parser();
        parser.Parse(TableMapEvent(), out _);
        var delete = Assert.IsType<DeleteRowsEvent>(parser.Parse(RowsEvent(BinlogEventType.DeleteRowsV2, "ff ff", null, "fe ff 05 00 00 00  00 00 " + FullRowValues), out _));
        Assert.Equal(2, delete.Rows.Count);
        var first = delete.Rows[0].Before!;
        Assert.Equal(5u, first[0]);
        Assert.All(Enumerable.Range(1, 15), i => Assert.Null(first[i]));
        Assert.Equal("héllo", delete.Rows[1].Before![1]);
    }

    [Fact]
    public void Table_map_without_optional_metadata_decodes_conservatively()
    {
        var parser = Parser();
        parser.Parse(TableMapEvent(withOptionalMetadata: false), out _);
        var row = Assert.IsType<WriteRowsEvent>(parser.Parse(RowsEvent(BinlogEventType.WriteRowsV2, "ff ff", null, "00 00 " + FullRowValues), out _)).Rows[0].After!;
        Assert.Equal(-1, row[0]); // signedness unknown: read as signed
        Assert.Equal(Encoding.UTF8.GetBytes("héllo"), row[1]); // charset unknown: bytes, never a guessed string
        Assert.Equal(2, row[2]); // ENUM index
        Assert.Equal(3UL, row[3]); // SET bits
        Assert.Null(row.Table.Columns[0].Name);
    }

    [Fact]
    public void Rows_event_with_truncated_row_throws_format()
    {
        var parser = Parser();
        parser.Parse(TableMapEvent(), out _);
        Assert.Throws<FormatException>(() => parser.Parse(RowsEvent(BinlogEventType.WriteRowsV2, "ff ff", null, "00 00 ff ff ff ff 06 68"), out _));
    }

    [Fact]
    public void Rows_of_tables_the_filter_leaves_out_are_skipped_undecoded()
    {
        var seen = new List<(string, string)>();
        var parser = new BinlogEventParser(BinlogChecksumAlgorithm.Crc32, verifyChecksum: true, (database, table) =>
        {
            seen.Add((database, table));
            return table != "t";
        });
        parser.Parse(BinlogBytes.FormatDescription(), out _);
        Assert.IsType<TableMapEvent>(parser.Parse(TableMapEvent(), out _));

        // A row image that would throw if it were decoded: skipping never reads it.
        Assert.Null(parser.Parse(RowsEvent(BinlogEventType.WriteRowsV2, "ff ff", null, "00 00 ff ff ff ff 06 68"), out var header));
        Assert.Equal(BinlogEventType.WriteRowsV2, header.EventType);
        Assert.Equal(("db", "t"), Assert.Single(seen));

        // The checksum is still verified for a skipped event.
        var corrupt = RowsEvent(BinlogEventType.WriteRowsV2, "ff ff", null, "00 00 " + FullRowValues);
        corrupt[^1] ^= 0xFF;
        Assert.Throws<MySqlProtocolException>(() => parser.Parse(corrupt, out _));
    }

    [Fact]
    public void Rows_of_tables_the_filter_keeps_are_decoded()
    {
        var parser = new BinlogEventParser(BinlogChecksumAlgorithm.Crc32, verifyChecksum: true, (database, table) => database == "db" && table == "t");
        parser.Parse(BinlogBytes.FormatDescription(), out _);
        parser.Parse(TableMapEvent(), out _);
        var write = Assert.IsType<WriteRowsEvent>(parser.Parse(RowsEvent(BinlogEventType.WriteRowsV2, "ff ff", null, "00 00 " + FullRowValues), out _));
        Assert.Equal("héllo", Assert.Single(write.Rows).After![1]);
    }

    internal static BinlogEventParser Parser() => BinlogEventParserTests.Parser();

    internal static byte[] TableMapEvent(bool withOptionalMetadata = true)
    {
        var w = new PacketWriter();
        w.WriteBytes(Hex.Bytes("21 00 00 00 00 00 01 00"));
        w.WriteBytes(Hex.Bytes("02 64 62 00 01 74 00 10"));
        w.WriteBytes(Hex.Bytes(ColumnTypes));
        w.WriteLengthEncodedBytes(Hex.Bytes(TypeMetadata));
        w.WriteBytes(Hex.Bytes("fe ff"));
        if (withOptionalMetadata)
        {
            w.WriteBytes(Hex.Bytes("01 01 90"));
            w.WriteBytes(Hex.Bytes("02 07 fc ff 00 01 3f 02 08"));
            var names = new PacketWriter();
            for (var i = 0; i < 16; i++)
            {
                names.WriteLengthEncodedString($"c{i}");
            }

            w.WriteByte(4);
            w.WriteLengthEncodedBytes(names.WrittenSpan);
            w.WriteBytes(Hex.Bytes("05 05 02 01 78 01 79"));
            w.WriteBytes(Hex.Bytes("06 05 02 01 61 01 62"));
            w.WriteBytes(Hex.Bytes("07 01 01"));
            w.WriteBytes(Hex.Bytes("08 01 00"));
            w.WriteBytes(Hex.Bytes("63 02 aa bb")); // a future metadata type: skipped by its length
        }

        return BinlogBytes.Event(BinlogEventType.TableMap, w.ToArray());
    }

    internal static byte[] RowsEvent(BinlogEventType type, string present, string? presentAfter, string rows)
    {
        var w = new PacketWriter();
        w.WriteBytes(Hex.Bytes("21 00 00 00 00 00 01 00"));
        if (type is BinlogEventType.WriteRowsV2 or BinlogEventType.UpdateRowsV2 or BinlogEventType.DeleteRowsV2)
        {
            w.WriteBytes(Hex.Bytes("02 00"));
        }

        w.WriteByte(16);
        w.WriteBytes(Hex.Bytes(present));
        if (presentAfter is not null)
        {
            w.WriteBytes(Hex.Bytes(presentAfter));
        }

        w.WriteBytes(Hex.Bytes(rows));
        return BinlogBytes.Event(type, w.ToArray());
    }
}
