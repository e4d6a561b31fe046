using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

/// <summary>The edge-value rows of the binlog test, read back through the text protocol and checked against .NET values.</summary>
public sealed class TextProtocolTypesIntegrationTests
{
    [Fact]
    public async Task QueryAsync_every_type_edge_values_decode_to_expected_clr_values()
    {
        await using var connection = await TestServer.OpenAsync();
        await connection.ExecuteAsync("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION', SESSION time_zone = '+00:00'");
        await using var testTable = await TestTable.CreateAsync(connection, "tp_types", BinlogIntegrationTests.Columns);
        var quoted = testTable.Quoted;
        foreach (var row in BinlogIntegrationTests.Rows)
        {
            await connection.ExecuteAsync($"INSERT INTO {quoted} ({string.Join(", ", BinlogIntegrationTests.ColumnNames)}) VALUES ({row})");
        }

        var result = await connection.QueryAsync($"SELECT {string.Join(", ", BinlogIntegrationTests.ColumnNames)} FROM {quoted} ORDER BY id");
        object? Value(int id, string column) => result.Rows[id - 1].GetValue(result.GetOrdinal(column));

        Assert.Equal((sbyte)-128, Value(1, "c_tiny"));
        Assert.Equal((byte)255, Value(2, "c_utiny"));
        Assert.Equal((ushort)65535, Value(2, "c_usmall"));
        Assert.Equal(-8388608, Value(1, "c_medium"));
        Assert.Equal(16777215, Value(2, "c_umedium"));
        Assert.Equal(uint.MaxValue, Value(2, "c_uint"));
        Assert.Equal(long.MinValue, Value(1, "c_big"));
        Assert.Equal(ulong.MaxValue, Value(2, "c_ubig"));
        Assert.Equal(-99999999999999.999999m, Value(1, "c_dec"));
        Assert.Equal("0.000001", ((decimal)Value(5, "c_dec")!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(-1.5f, Value(1, "c_float"));
        Assert.Equal(-1.7976931348623157E308, Value(1, "c_double"));
        Assert.Equal(new MySqlDateTime(9999, 12, 31, 23, 59, 59, 999999), Value(2, "c_dt6"));
        Assert.True(((MySqlDateTime)Value(4, "c_date")!).IsZero);
        Assert.True(((MySqlDateTime)Value(4, "c_ts")!).IsZero);
        Assert.Equal(new MySqlDateTime(2038, 1, 19, 3, 14, 7, 999999), Value(2, "c_ts"));
        Assert.Equal(-(new TimeSpan(838, 59, 59)), Value(1, "c_time"));
        Assert.Equal(-TimeSpan.FromMilliseconds(500), Value(4, "c_time2"));
        Assert.Equal(new TimeSpan(100, 0, 0) + TimeSpan.FromMilliseconds(10), Value(5, "c_time2"));
        Assert.Equal(2155, Value(2, "c_year"));
        Assert.Equal(0, Value(4, "c_year"));
        Assert.Equal("emoji 😀", Value(2, "c_char"));
        Assert.Equal(string.Concat(new string('é', 290), "😀😀"), Value(2, "c_varchar"));
        Assert.Equal("é€", Value(2, "c_varchar3"));
        Assert.Equal("café", Value(2, "c_latin"));
        Assert.Equal(50000, ((string)Value(2, "c_longtext")!).Length);
        Assert.Equal("nul\0tab\t'\"", Value(4, "c_varchar"));
        Assert.Equal(string.Empty, Value(1, "c_text"));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, Value(2, "c_binary"));
        Assert.Equal(new byte[] { 0xC3, 0xFF, 0x00 }, Value(2, "c_varbinary"));
        Assert.Equal(102400, ((byte[])Value(2, "c_mediumblob")!).Length);
        Assert.Equal(0x3FFUL, Value(2, "c_bit"));
        Assert.Equal(ulong.MaxValue, Value(2, "c_bit64"));
        Assert.Equal("c d", Value(2, "c_enum"));
        Assert.Equal("x,z", Value(2, "c_set"));
        Assert.Contains("\"b\": null", (string)Value(2, "c_json")!, StringComparison.Ordinal);
        Assert.IsType<byte[]>(Value(2, "c_geom"));
        Assert.All(BinlogIntegrationTests.ColumnNames.Skip(1), c => Assert.Null(Value(3, c)));
    }
}
