using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.Benchmarks;

/// <summary>
/// Binlog row-event decoding: one WRITE_ROWS_V2 event of 1,000 rows × 10 columns (INT, BIGINT, DECIMAL(12,2),
/// DOUBLE, DATETIME2(6), VARCHAR(255 bytes) utf8mb4, DATE, TINYINT, BIGINT UNSIGNED, TIME2), parsed with CRC32
/// verification and every column read. Results are per row (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class BinlogRowDecodingBenchmarks
{
    private const int Rows = 1000;
    private byte[] _formatDescription = null!;
    private byte[] _tableMap = null!;
    private byte[] _rows = null!;

    [GlobalSetup]
    public void Setup()
    {
        _formatDescription = FormatDescription();
        var tm = new PacketWriter();
        tm.WriteBytes([0x21, 0, 0, 0, 0, 0, 1, 0, 2, (byte)'d', (byte)'b', 0, 1, (byte)'t', 0, 10]);
        tm.WriteBytes([3, 8, 0xF6, 5, 18, 15, 10, 1, 8, 19]);
        tm.WriteLengthEncodedBytes([12, 2, 8, 6, 0xFF, 0x00, 0]);
        tm.WriteBytes([0xFE, 0x03]);
        tm.WriteBytes([1, 1, 0x04]); // signedness: only the BIGINT UNSIGNED column (6th numeric) is unsigned
        tm.WriteBytes([2, 1, 45]); // default charset utf8mb4_general_ci
        _tableMap = Event(19, tm.ToArray());

        var rows = new PacketWriter();
        rows.WriteBytes([0x21, 0, 0, 0, 0, 0, 1, 0, 2, 0, 10, 0xFF, 0x03]);
        for (var i = 0; i < Rows; i++)
        {
            rows.WriteBytes([0, 0]);
            rows.WriteUInt32((uint)(i * 7));
            rows.WriteUInt64((ulong)(9_000_000_000L + i));
            rows.WriteBytes([0x80, 0x00, 0x01, 0xE2, 0x40, 0x4E]); // 123456.78 as DECIMAL(12,2)
            var d = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(d, Math.PI);
            rows.WriteBytes(d);
            rows.WriteBytes([0x99, 0xB2, 0xBA, 0xC8, 0xB8, 0x01, 0xE2, 0x40]);
            var name = System.Text.Encoding.UTF8.GetBytes("customer-name-" + i);
            rows.WriteByte((byte)name.Length);
            rows.WriteBytes(name);
            var date = (2024 << 9) | (2 << 5) | 29;
            rows.WriteBytes([(byte)date, (byte)(date >> 8), (byte)(date >> 16)]);
            rows.WriteByte(1);
            rows.WriteUInt64(ulong.MaxValue);
            rows.WriteBytes([0x7F, 0x37, 0x48]);
        }

        _rows = Event(30, rows.ToArray());
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long DecodeTyped()
    {
        long checksum = 0;
        foreach (var change in ParseRows().Rows)
        {
            var row = change.After!;
            checksum += row.GetInt64(0) + row.GetInt64(1) + (long)row.GetDecimal(2) + row.GetRaw(3).Length + row.GetDateTime(4).Microsecond
                + row.GetString(5).Length + row.GetDateTime(6).Day + row.GetInt64(7) + (long)row.GetUInt64(8) + row.GetTimeSpan(9).Ticks;
        }

        return checksum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public int DecodeBoxed()
    {
        var count = 0;
        foreach (var change in ParseRows().Rows)
        {
            count += change.After!.ToArray().Length;
        }

        return count;
    }

    /// <summary>A fresh parser per invocation so the TABLE_MAP and FORMAT_DESCRIPTION state is part of the work measured.</summary>
    private RowsEvent ParseRows()
    {
        var parser = new BinlogEventParser(BinlogChecksumAlgorithm.Crc32, verifyChecksum: true);
        parser.Parse(_formatDescription, out _);
        parser.Parse(_tableMap, out _);
        return (RowsEvent)parser.Parse(_rows, out _)!;
    }

    private static byte[] FormatDescription()
    {
        var w = new PacketWriter();
        w.WriteUInt16(4);
        var version = new byte[50];
        "10.11.6-MariaDB"u8.CopyTo(version);
        w.WriteBytes(version);
        w.WriteUInt32(0);
        w.WriteByte(19);
        w.WriteBytes(Enumerable.Repeat((byte)8, 40).Select((b, i) => i switch { 1 => (byte)13, 29 or 30 or 31 => (byte)10, _ => b }).ToArray());
        w.WriteByte(1);
        return Event(15, w.ToArray());
    }

    private static byte[] Event(byte type, byte[] body)
    {
        var w = new PacketWriter();
        w.WriteUInt32(1_700_000_000);
        w.WriteByte(type);
        w.WriteUInt32(1);
        w.WriteUInt32((uint)(19 + body.Length + 4));
        w.WriteUInt32(1000);
        w.WriteUInt16(0);
        w.WriteBytes(body);
        w.WriteUInt32(Crc32.Compute(w.WrittenSpan));
        return w.ToArray();
    }
}
