using System.Text;
using BenchmarkDotNet.Attributes;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.Benchmarks;

/// <summary>
/// Text-protocol row decoding: 1,000 rows of 10 columns (integers, DECIMAL, DOUBLE, DATETIME(6), DATE, TIME,
/// VARCHAR). Results are per row (OperationsPerInvoke); decoded columns/s = 10 × rows/s.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class TextRowDecodingBenchmarks
{
    private const int Rows = 1000;
    private TextRowDecoder _decoder = null!;
    private byte[][] _payloads = null!;

    [GlobalSetup]
    public void Setup()
    {
        var columns = new (MySqlColumnType Type, MySqlColumnFlags Flags)[]
        {
            (MySqlColumnType.LongLong, 0), (MySqlColumnType.Long, 0), (MySqlColumnType.NewDecimal, 0), (MySqlColumnType.Double, 0),
            (MySqlColumnType.DateTime, 0), (MySqlColumnType.VarString, 0), (MySqlColumnType.Date, 0), (MySqlColumnType.Tiny, 0),
            (MySqlColumnType.LongLong, MySqlColumnFlags.Unsigned), (MySqlColumnType.Time, 0),
        };
        _decoder = new TextRowDecoder(columns.Select(c => ColumnDefinitionPayload.Parse(Column(c.Type, c.Flags))).ToArray());
        _payloads = Enumerable.Range(0, Rows).Select(i =>
        {
            var w = new PacketWriter();
            foreach (var value in new[]
            {
                (9_000_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture), (i * 7).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "123456.78", "3.141592653589793", "2024-02-29 12:34:56.123456", "customer-name-" + i, "2024-02-29", "1", "18446744073709551615", "-12:34:56",
            })
            {
                w.WriteLengthEncodedBytes(Encoding.UTF8.GetBytes(value));
            }

            return w.ToArray();
        }).ToArray();
    }

    /// <summary>Split each row and read every column through the typed getters (the allocation-free path for fixed-width types).</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long DecodeTyped()
    {
        long checksum = 0;
        foreach (var payload in _payloads)
        {
            var row = _decoder.Decode(payload);
            checksum += row.GetInt64(0) + row.GetInt64(1) + (long)row.GetDecimal(2) + (long)row.GetDouble(3) + row.GetDateTime(4).Microsecond
                + row.GetString(5).Length + row.GetDateTime(6).Day + row.GetInt64(7) + (long)row.GetUInt64(8) + row.GetTimeSpan(9).Ticks;
        }

        return checksum;
    }

    /// <summary>Every column as a boxed object (what a generic consumer gets): one box per fixed-width value.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public int DecodeBoxed()
    {
        var count = 0;
        foreach (var payload in _payloads)
        {
            count += _decoder.Decode(payload).ToArray().Length;
        }

        return count;
    }

    private static byte[] Column(MySqlColumnType type, MySqlColumnFlags flags)
    {
        var w = new PacketWriter();
        foreach (var s in new[] { "def", "db", "t", "t", "c", "c" })
        {
            w.WriteLengthEncodedString(s);
        }

        w.WriteByte(0x0C);
        w.WriteUInt16(45);
        w.WriteUInt32(255);
        w.WriteByte((byte)type);
        w.WriteUInt16((ushort)flags);
        w.WriteByte(0);
        w.WriteZeros(2);
        return w.ToArray();
    }
}
