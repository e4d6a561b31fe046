using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// Every column type of the wire client, with edge values, goes through the copy and through capture
/// (rows written while the copy runs: binlog row images or triggers); afterwards the table equals a
/// control table that received the same statements, by checksum over every original column.
/// </summary>
[Collection("mysql")]
public sealed class MyAllTypesRoundTripTests
{
    private const string Columns = """
        id INT NOT NULL PRIMARY KEY,
        c_tiny TINYINT NULL, c_utiny TINYINT UNSIGNED NULL, c_small SMALLINT NULL, c_usmall SMALLINT UNSIGNED NULL,
        c_medium MEDIUMINT NULL, c_umedium MEDIUMINT UNSIGNED NULL, c_int INT NULL, c_uint INT UNSIGNED NULL,
        c_big BIGINT NULL, c_ubig BIGINT UNSIGNED NULL,
        c_dec DECIMAL(20,6) NULL, c_dec0 DECIMAL(10,0) NULL, c_float FLOAT NULL, c_double DOUBLE NULL,
        c_date DATE NULL, c_dt DATETIME NULL, c_dt3 DATETIME(3) NULL, c_dt6 DATETIME(6) NULL,
        c_ts TIMESTAMP(6) NULL DEFAULT NULL, c_ts0 TIMESTAMP NULL DEFAULT NULL,
        c_time TIME NULL, c_time2 TIME(2) NULL, c_time6 TIME(6) NULL, c_year YEAR NULL,
        c_char CHAR(10) CHARACTER SET utf8mb4 NULL, c_varchar VARCHAR(300) CHARACTER SET utf8mb4 NULL,
        c_varchar3 VARCHAR(20) CHARACTER SET utf8mb3 NULL, c_latin VARCHAR(20) CHARACTER SET latin1 NULL,
        c_text TEXT CHARACTER SET utf8mb4 NULL, c_longtext LONGTEXT CHARACTER SET utf8mb4 NULL,
        c_binary BINARY(4) NULL, c_varbinary VARBINARY(50) NULL, c_blob BLOB NULL, c_mediumblob MEDIUMBLOB NULL,
        c_bit BIT(10) NULL, c_bit64 BIT(64) NULL, c_enum ENUM('a','b','c d') NULL, c_set SET('x','y','z') NULL,
        c_json JSON NULL, c_geom GEOMETRY NULL
        """;

    private static readonly string[] Names =
    [
        "id", "c_tiny", "c_utiny", "c_small", "c_usmall", "c_medium", "c_umedium", "c_int", "c_uint", "c_big", "c_ubig",
        "c_dec", "c_dec0", "c_float", "c_double", "c_date", "c_dt", "c_dt3", "c_dt6", "c_ts", "c_ts0",
        "c_time", "c_time2", "c_time6", "c_year", "c_char", "c_varchar", "c_varchar3", "c_latin", "c_text", "c_longtext",
        "c_binary", "c_varbinary", "c_blob", "c_mediumblob", "c_bit", "c_bit64", "c_enum", "c_set", "c_json", "c_geom",
    ];

    private static string Row(int id, int variant) => variant switch
    {
        0 => $"{id}, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, -99999999999999.999999, -9999999999, -1.5, -1.7976931348623157E308, "
            + "'1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.001', '1000-01-01 00:00:00.000001', '1970-01-01 00:00:01.000000', '1970-01-01 00:00:01', "
            + "'-838:59:59', '-838:59:58.99', '-838:59:58.999999', 1901, '', '', '', '', '', '', X'00000000', '', '', '', b'0', 0, 'a', '', '[]', ST_GeomFromText('POINT(0 0)')",
        1 => $"{id}, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 99999999999999.999999, 9999999999, 0.1, 2.2250738585072014E-308, "
            + "'9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '2038-01-19 03:14:07', "
            + "'838:59:59', '838:59:58.99', '838:59:58.999999', 2155, 'emoji 😀', CONCAT(REPEAT('é', 290), '😀😀'), 'é€', 'café', REPEAT('text ', 2000), REPEAT('😀', 25000), "
            + "X'FFFFFFFF', X'C3FF00', REPEAT(X'00FF7F80', 250), REPEAT(X'00FF7F80', 25600), b'1111111111', 18446744073709551615, 'c d', 'x,z', "
            + "'{\"a\": [1, 2.5, \"x\"], \"b\": null}', ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))')",
        2 => $"{id}, {string.Join(", ", Enumerable.Repeat("NULL", Names.Length - 1))}",
        3 => $"{id}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00', '0000-00-00 00:00:00', "
            + "'00:00:00', '-00:00:00.50', '-00:00:01.500000', 0, 'a''b\\\\c', 'nul\\0tab\\t\\'\"', 'x', 'ÿ', '', '', X'61000000', X'00', X'00', X'', b'1', 1, 'b', 'y', 'null', NULL",
        _ => $"{id}, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.000001, 1, 3.4028235E38, 3.141592653589793, '2024-02-29', '2024-02-29 12:34:56', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.123456', "
            + "'2024-02-29 12:34:56.654321', '2024-02-29 12:34:56', '-12:34:56', '100:00:00.01', '-12:34:56.000001', 2024, 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', "
            + "'abcd', 'abc', 'abc', 'abc', b'101', 81985529216486895, 'a', 'x,y,z', '{\"k\": \"v\", \"n\": -12345678901234}', ST_GeomFromText('LINESTRING(1 1,2 2)')",
    };

    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task Alter_every_column_type_through_copy_and_capture_equals_control_by_checksum(CaptureMode capture)
    {
        var name = UniqueName("types");
        var table = $"{Q(Database)}.{Q(name)}";
        var control = $"{Q(Database)}.{Q(name + "_ctl")}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} ({Columns}) ENGINE=InnoDB");
            await ExecAsync($"CREATE TABLE {control} ({Columns}) ENGINE=InnoDB");
            await using var writer = await OpenAsync();
            await writer.ExecuteAsync("SET SESSION sql_mode = ''");
            async Task BothAsync(Func<string, string> sql)
            {
                await writer.ExecuteAsync(sql(table));
                await writer.ExecuteAsync(sql(control));
            }

            for (var id = 1; id <= 5; id++)
            {
                var row = Row(id, id - 1);
                await BothAsync(t => $"INSERT INTO {t} VALUES ({row})");
            }

            // While the copy runs (capture is installed), every type also travels through capture.
            var wrote = false;
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase != Phase.Copying || wrote)
                    {
                        return;
                    }

                    wrote = true;
                    Task.Run(async () =>
                    {
                        for (var id = 11; id <= 15; id++)
                        {
                            var row = Row(id, id - 11);
                            await BothAsync(t => $"INSERT INTO {t} VALUES ({row})");
                        }

                        await BothAsync(t => $"UPDATE {t} SET id = 20, c_text = NULL, c_float = 0.3, c_geom = ST_GeomFromText('POINT(5 5)') WHERE id = 2");
                        await BothAsync(t => $"UPDATE {t} SET c_json = '{{\"u\": 1}}', c_latin = 'ÿé', c_bit = b'11', c_set = 'y,z' WHERE id = 13");
                        await BothAsync(t => $"DELETE FROM {t} WHERE id = 4");
                    }).GetAwaiter().GetResult();
                },
            };

            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "ADD COLUMN extra INT NULL"), capture, sink);
            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.True(wrote);
            Assert.Equal(await ScalarAsync(ChecksumSql(control)), await ScalarAsync(ChecksumSql(table)));
            Assert.Equal("9", await ScalarAsync($"SELECT COUNT(*) FROM {table}"));
        }
        finally
        {
            await ExecAsync($"DROP TABLE IF EXISTS {control}");
            await DropAsync(name);
        }
    }

    private static string ChecksumSql(string table)
    {
        // HEX of the text form: exact for every type (bytes, charsets, fractions) and NULL-safe.
        var row = $"CONCAT_WS('|', {string.Join(", ", Names.Select(n => $"COALESCE(HEX(CAST({Q(n)} AS CHAR CHARACTER SET binary)), 'N')"))})";
        return $"SELECT CONCAT(COUNT(*), '/', SUM(CRC32({row})), '/', BIT_XOR(CAST(CONV(LEFT(MD5({row}), 16), 16, 10) AS UNSIGNED))) FROM {table}";
    }
}
