using ShadowCopy.IntegrationTests.MySql;
using static ShadowCopy.IntegrationTests.Differential.Gen;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// MariaDB/MySQL type pairs (original column → the ALTER clause), grouped in families of one table each.
/// Values fit the new type unless the family says otherwise; behaviour was checked against the
/// server's own ALTER … ALGORITHM=COPY (e.g. ENUM → INT gives the index, BIT → VARCHAR the number,
/// VARCHAR → CHAR drops trailing spaces, a STORED generated column may become plain, a VIRTUAL one not).
/// </summary>
internal static class MyTypeMatrix
{
    private static readonly DateTime Epoch1 = new(1970, 1, 2, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly DateTime Y2038 = new(2038, 1, 18, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly DateTime Y1000 = new(1000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly DateTime Y9999 = new(9999, 12, 31, 0, 0, 0, DateTimeKind.Unspecified);

    public static IReadOnlyList<DiffFamily> Families { get; } =
    [
        new("enum_set", EnumSet(), []),
        new("charset", Charset(), []),
        new("bit_year", BitYear(), []),
        new("temporal", Temporal(), []),
        new("numeric", Numeric(), []),
        new("json_binary", JsonBinary(), []),
        new("generated", Generated(), []),
        new("lossy_with_warnings", LossyWithWarnings(), []),
        new("refused", Refused(), []),
        new("refused_late", RefusedLate(), []),
        new("key_zero", [new("note_widened", "{c} VARCHAR(20) NULL", "MODIFY {c} VARCHAR(40) NULL", Words("a", "b", "zero key"))], []) { ZeroKey = true },
    ];

    /// <summary>Families whose pairs may share a table drawn at random (no refusals, no special keys).</summary>
    public static IReadOnlyList<string> Mixable { get; } = ["enum_set", "charset", "bit_year", "temporal", "numeric", "json_binary", "generated"];

    private static string L(string text) => MyServer.Lit(text);

    private static DiffValue S(string text) => new(L(text));

    private static ValueDomain Words(params string[] words) => ValueDomain.Of([.. words.Select(S)]);

    private static ValueDomain Ints(long min, long max, params long[] edges) =>
        new([.. edges.Select(e => new DiffValue(e.ToString(System.Globalization.CultureInfo.InvariantCulture)))], Int(min, max));

    private static ValueDomain Bits(int width) =>
        new([new("b'0'"), new("b'1'"), new($"b'{new string('1', width)}'"), new($"b'1{new string('0', width - 1)}'")],
            r => new($"b'{Convert.ToString(r.NextInt64(0, width == 64 ? long.MaxValue : 1L << width), 2)}'"));

    private static List<TypePair> EnumSet()
    {
        var colours = new[] { "red", "green", "blue", "orange" };
        var unknown = new DiffValue(L("nope"), Lenient: true); // stored as '' (index 0)
        return
        [
            new("enum_to_varchar", "{c} ENUM('red','green','blue','orange') NULL", "MODIFY {c} VARCHAR(32) NULL",
                new([.. colours.Select(S), unknown], Pick([.. colours.Select(S)]))),
            // The shape of issue #14's report.
            new("enum_bin_to_varchar_nn", "{c} ENUM('red','green','blue','orange') CHARACTER SET utf8mb3 COLLATE utf8mb3_bin NOT NULL DEFAULT 'red'",
                "CHANGE {c} {c} VARCHAR(32) NOT NULL DEFAULT ''", Words(colours) with { Nullable = false, HasDefault = true }),
            new("set_to_varchar", "{c} SET('a','b','c','d') NULL", "MODIFY {c} VARCHAR(20) NULL",
                new([S(""), S("a"), S("a,b"), S("c,a"), S("a,b,c,d"), S("d")], Subset(L, "a", "b", "c", "d"))),
            new("enum_to_char", "{c} ENUM('x','yy','zzz') NOT NULL DEFAULT 'yy'", "MODIFY {c} CHAR(5) NOT NULL DEFAULT 'x'",
                Words("x", "yy", "zzz") with { Nullable = false, HasDefault = true }),
            new("enum_to_int", "{c} ENUM('10','20','5','1') NULL", "MODIFY {c} INT NULL",
                new([S("10"), S("20"), S("5"), S("1"), unknown], Pick(S("10"), S("20"), S("5"), S("1")))),
            new("set_to_bigint", "{c} SET('a','b','c','d') NULL", "MODIFY {c} BIGINT UNSIGNED NULL",
                new([S(""), S("a"), S("b,d"), S("a,b,c,d")], Subset(L, "a", "b", "c", "d"))),
            new("varchar_to_enum", "{c} VARCHAR(10) NULL", "MODIFY {c} ENUM('red','green','blue') NULL", Words("red", "green", "blue")),
            new("int_to_enum", "{c} INT NULL", "MODIFY {c} ENUM('a','b','c') NULL", Ints(1, 3, 1, 3)),
            new("varchar_to_set", "{c} VARCHAR(20) NULL", "MODIFY {c} SET('a','b','c','d') NULL",
                new([S(""), S("d,a"), S("a,b,c,d")], Subset(L, "a", "b", "c", "d"))),
            new("enum_append", "{c} ENUM('a','b') NULL", "MODIFY {c} ENUM('a','b','c') NULL", new([S("a"), S("b"), unknown], Pick(S("a"), S("b")))),
            new("enum_latin1_to_utf8mb4", "{c} ENUM('é','ü','x') CHARACTER SET latin1 NULL", "MODIFY {c} ENUM('é','ü','x') CHARACTER SET utf8mb4 NULL", Words("é", "ü", "x")),
        ];
    }

    private static List<TypePair> Charset()
    {
        const string latin1 = "abcXYZ éèçñüßÿ£±'\\\"%_";
        const string wide = "aZ é€✓😀'\\\"";
        return
        [
            new("latin1_to_utf8mb4", "{c} VARCHAR(40) CHARACTER SET latin1 NULL", "MODIFY {c} VARCHAR(40) CHARACTER SET utf8mb4 NULL",
                new([S("café"), S("naïve"), S("Straße"), S("ÿ"), S(""), S("O'Brien \\ x")], Text(L, latin1, 40))),
            new("latin1_text_to_utf8mb4", "{c} TEXT CHARACTER SET latin1 NULL", "MODIFY {c} TEXT CHARACTER SET utf8mb4 NULL",
                new([S("£±"), S(""), S(new string('é', 300))], Text(L, latin1, 500))),
            new("utf8mb4_bin_to_ci", "{c} VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL", "MODIFY {c} VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL",
                new([S("😀"), S("Ä"), S("a"), S("A "), S("")], Text(L, wide, 40))),
            new("utf8mb3_to_latin1", "{c} VARCHAR(40) CHARACTER SET utf8mb3 NULL", "MODIFY {c} VARCHAR(40) CHARACTER SET latin1 NULL",
                new([S("café"), S("ß"), S("")], Text(L, "abc éüß£", 40))),
            new("utf16_to_utf8mb4", "{c} VARCHAR(20) CHARACTER SET utf16 NULL", "MODIFY {c} VARCHAR(20) CHARACTER SET utf8mb4 NULL",
                new([S("héllo😀"), S(""), S("€")], Text(L, "aé€😀", 20))),
            new("utf8mb4_to_varbinary", "{c} VARCHAR(40) CHARACTER SET utf8mb4 NULL", "MODIFY {c} VARBINARY(160) NULL",
                new([S("😀é"), S(""), S("a\\b")], Text(L, wide, 40))),
            new("char_to_varchar", "{c} CHAR(8) CHARACTER SET utf8mb4 NULL", "MODIFY {c} VARCHAR(8) NULL",
                new([S("ab"), S("ab  "), S("  x"), S(""), S("é€")], Text(L, "ab é", 8))),
            new("varchar_to_char", "{c} VARCHAR(8) NULL", "MODIFY {c} CHAR(8) NULL",
                new([S("ab  "), S("x "), S(""), S(" ")], Text(L, "ab é", 8))),
            new("varchar_default_changed", "{c} VARCHAR(10) NOT NULL DEFAULT 'x'", "MODIFY {c} VARCHAR(20) NOT NULL DEFAULT 'y'",
                new([S("x"), S("")], Text(L, "xyz", 10)) { Nullable = false, HasDefault = true }),
        ];
    }

    private static List<TypePair> BitYear() =>
    [
        new("bit8_to_bigint", "{c} BIT(8) NULL", "MODIFY {c} BIGINT NULL", Bits(8)),
        new("bit8_to_varchar", "{c} BIT(8) NULL", "MODIFY {c} VARCHAR(16) NULL", Bits(8)),
        new("bigint_to_bit8", "{c} BIGINT NULL", "MODIFY {c} BIT(8) NULL", Ints(0, 255, 0, 1, 255, 128)),
        new("bit1_to_tinyint", "{c} BIT(1) NULL", "MODIFY {c} TINYINT NULL", ValueDomain.Of(new("b'0'"), new("b'1'"))),
        new("bit64_to_ubigint", "{c} BIT(64) NULL", "MODIFY {c} BIGINT UNSIGNED NULL", Bits(64)),
        new("year_to_int", "{c} YEAR NULL", "MODIFY {c} INT NULL", Ints(1901, 2155, 1901, 2155, 0, 2024, 70)),
        new("year_to_smallint", "{c} YEAR NULL", "MODIFY {c} SMALLINT NULL", Ints(1901, 2155, 0, 1999)),
        new("year_to_varchar", "{c} YEAR NULL", "MODIFY {c} VARCHAR(4) NULL", new([S("0"), new("0"), S("00"), new("2155")], Int(1901, 2155))),
        new("int_to_year", "{c} INT NULL", "MODIFY {c} YEAR NULL", Ints(1901, 2155, 0, 1, 69, 70, 99, 1901, 2155)),
    ];

    private static List<TypePair> Temporal() =>
    [
        new("dt0_to_dt6", "{c} DATETIME NULL", "MODIFY {c} DATETIME(6) NULL",
            new([S("1000-01-01 00:00:00"), S("9999-12-31 23:59:59"), S("0000-00-00 00:00:00")], Timestamp(L, Y1000, Y9999, 0))),
        new("dt6_to_dt0", "{c} DATETIME(6) NULL", "MODIFY {c} DATETIME NULL",
            new([S("2024-02-29 23:59:59.999999"), S("2024-01-01 00:00:00.5"), S("0000-00-00 00:00:00")], Timestamp(L, Y1000, Y9999, 6))),
        new("time3_to_time0", "{c} TIME(3) NULL", "MODIFY {c} TIME NULL",
            ValueDomain.Of(S("-838:59:59.000"), S("838:59:59.000"), S("00:00:00.500"), S("-00:00:00.999"), S("12:34:56.789"), S("100:00:00.001"))),
        new("time0_to_time3", "{c} TIME NULL", "MODIFY {c} TIME(3) NULL", ValueDomain.Of(S("-838:59:59"), S("838:59:59"), S("00:00:00"), S("-01:02:03"), S("25:00:00"))),
        new("ts6_to_ts0", "{c} TIMESTAMP(6) NULL DEFAULT NULL", "MODIFY {c} TIMESTAMP NULL DEFAULT NULL",
            new([S("1970-01-01 00:00:01.000000"), S("2038-01-19 03:14:07.999999"), S("0000-00-00 00:00:00")], Timestamp(L, Epoch1, Y2038, 6))),
        new("ts_to_datetime", "{c} TIMESTAMP(6) NULL DEFAULT NULL", "MODIFY {c} DATETIME(6) NULL",
            new([S("1970-01-01 00:00:01.000001"), S("2038-01-19 03:14:07.999999"), S("0000-00-00 00:00:00")], Timestamp(L, Epoch1, Y2038, 6))),
        new("datetime_to_ts", "{c} DATETIME NULL", "MODIFY {c} TIMESTAMP NULL DEFAULT NULL",
            new([S("1970-01-01 00:00:01"), S("2038-01-19 03:14:07"), S("0000-00-00 00:00:00")], Timestamp(L, Epoch1, Y2038, 0))),
        new("date_to_datetime", "{c} DATE NULL", "MODIFY {c} DATETIME NULL",
            new([S("0000-00-00"), S("2024-00-15"), S("2024-02-00"), S("1000-01-01"), S("9999-12-31")], Date(L, Y1000, Y9999))),
        new("ts_default_now", "{c} TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)", "MODIFY {c} DATETIME(6) NULL",
            new([S("2001-02-03 04:05:06.7")], Timestamp(L, Epoch1, Y2038, 6)) { Nullable = false, HasDefault = true }),
        new("varchar_to_datetime", "{c} VARCHAR(30) NULL", "MODIFY {c} DATETIME(3) NULL",
            new([S("2024-01-02 03:04:05.678"), S("2024-01-02"), S("0000-00-00 00:00:00")], Timestamp(L, Y1000, Y9999, 3))),
        new("datetime_to_varchar", "{c} DATETIME(6) NULL", "MODIFY {c} VARCHAR(30) NULL",
            new([S("2024-01-02 03:04:05.000000"), S("0000-00-00 00:00:00")], Timestamp(L, Y1000, Y9999, 6))),
    ];

    private static List<TypePair> Numeric() =>
    [
        new("dec10_2_to_dec12_4", "{c} DECIMAL(10,2) NULL", "MODIFY {c} DECIMAL(12,4) NULL",
            new([new("0"), new("-0.01"), new("99999999.99"), new("-99999999.99")], Decimal(8, 2))),
        new("dec12_4_to_dec10_2_exact", "{c} DECIMAL(12,4) NULL", "MODIFY {c} DECIMAL(10,2) NULL",
            new([new("0.0000"), new("-12345678.9900"), new("99999999.9900")], Decimal(8, 2))),
        new("dec_to_int_exact", "{c} DECIMAL(12,2) NULL", "MODIFY {c} INT NULL", new([new("0.00"), new("-2147483648.00"), new("2147483647.00")], Int(-100000, 100000))),
        new("int_to_dec", "{c} INT NULL", "MODIFY {c} DECIMAL(14,2) NULL", Ints(int.MinValue, int.MaxValue, int.MinValue, int.MaxValue, 0)),
        new("int_to_uint", "{c} INT NULL", "MODIFY {c} INT UNSIGNED NULL", Ints(0, int.MaxValue, 0, int.MaxValue)),
        new("ubigint_to_bigint", "{c} BIGINT UNSIGNED NULL", "MODIFY {c} BIGINT NULL", Ints(0, long.MaxValue, 0, long.MaxValue)),
        new("tinyint_to_bigint", "{c} TINYINT NULL", "MODIFY {c} BIGINT NULL", Ints(-128, 127, -128, 127, 0)),
        new("utinyint_to_tinyint", "{c} TINYINT UNSIGNED NULL", "MODIFY {c} TINYINT NULL", Ints(0, 127, 0, 127)),
        new("smallint_to_umediumint", "{c} SMALLINT NULL", "MODIFY {c} MEDIUMINT UNSIGNED NULL", Ints(0, 32767, 0, 32767)),
        new("int_nn_default", "{c} INT NOT NULL DEFAULT 7", "MODIFY {c} BIGINT NOT NULL DEFAULT 7", Ints(-5, 5, 7, 0) with { Nullable = false, HasDefault = true }),
        new("bool_to_int", "{c} TINYINT(1) NULL", "MODIFY {c} INT NULL", Ints(0, 1, 0, 1, -1, 2)),
        new("int_to_varchar", "{c} INT NULL", "MODIFY {c} VARCHAR(12) NULL", Ints(int.MinValue, int.MaxValue, int.MinValue, 0, -1)),
        new("varchar_to_int", "{c} VARCHAR(12) NULL", "MODIFY {c} INT NULL", new([S("007"), S("-12"), S("0"), S("2147483647")], r => S(r.Next(-99999, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
        new("float_to_double", "{c} FLOAT NULL", "MODIFY {c} DOUBLE NULL", new([new("0.1"), new("-1.5"), new("3.402823E38"), new("1.17549435E-38"), new("0")], Double(1000))),
        // The server converts without a warning, although precision is lost.
        new("double_to_float", "{c} DOUBLE NULL", "MODIFY {c} FLOAT NULL", new([new("0.1"), new("1.0000001234")], Double(1e6))),
        new("double_default_added", "{c} DOUBLE NULL", "MODIFY {c} DOUBLE NULL DEFAULT 1.5", new([new("0.1"), new("-0"), new("1.7976931348623157E308"), new("5E-324")], Double(1e6))),
    ];

    private static List<TypePair> JsonBinary() =>
    [
        new("json_to_longtext", "{c} JSON NULL", "MODIFY {c} LONGTEXT NULL",
            new([S("{\"b\": 1,  \"a\":2}"), S("[]"), S("null"), S("\"ü\""), S("{\"k\": \"a\\\"b\"}"), S("1e2")], r => S($"{{\"n\": {r.Next()}, \"s\": \"{Chars(r, "aé😀", 5)}\"}}"))),
        new("longtext_to_json", "{c} LONGTEXT NULL", "MODIFY {c} JSON NULL", new([S("{}"), S("[1, 2.50, \"x\"]"), S("\"é\"")], r => S($"[{r.Next()}]"))),
        new("binary4_to_varbinary", "{c} BINARY(4) NULL", "MODIFY {c} VARBINARY(4) NULL",
            new([new("X'61620000'"), new("X'6162'"), new("X''"), new("X'00000000'"), new("X'FFFFFFFF'")], r => new($"X'{Convert.ToHexString(RandomBytes(r, 4))}'"))),
        new("varbinary_to_binary8", "{c} VARBINARY(8) NULL", "MODIFY {c} BINARY(8) NULL",
            new([new("X'00'"), new("X''"), new("X'6100'"), new("X'FF'")], r => new($"X'{Convert.ToHexString(RandomBytes(r, 8))}'"))),
        new("blob_to_text", "{c} BLOB NULL", "MODIFY {c} TEXT CHARACTER SET utf8mb4 NULL", new([new("X'616263'"), new("X''"), new("X'C3A9F09F9880'")], r => S(Chars(r, "ab é😀", 20)))),
        new("text_to_blob", "{c} TEXT CHARACTER SET utf8mb4 NULL", "MODIFY {c} BLOB NULL", new([S("héllo"), S("")], Text(L, "ab é😀", 30))),
        new("varbinary_to_varchar", "{c} VARBINARY(40) NULL", "MODIFY {c} VARCHAR(40) CHARACTER SET utf8mb4 NULL", new([new("X'C3A9'"), new("X''")], Text(L, "abc é€", 10))),
        new("tinyblob_to_mediumblob", "{c} TINYBLOB NULL", "MODIFY {c} MEDIUMBLOB NULL", new([new("X'00FF'"), new("X''")], r => new($"X'{Convert.ToHexString(RandomBytes(r, 200))}'"))),
    ];

    private static List<TypePair> Generated()
    {
        var ints = Ints(-1000, 1000, 0, int.MaxValue / 4);
        return
        [
            new("gen_virtual_kept", "{c} INT NULL", "MODIFY {c} BIGINT NULL", ints) { Companion = "{g} BIGINT AS ({c} * 2) VIRTUAL" },
            new("gen_stored_kept", "{c} INT NULL", "MODIFY {c} BIGINT NULL", ints) { Companion = "{g} BIGINT AS ({c} + 1) STORED" },
            new("gen_added_stored", "{c} INT NULL", "ADD COLUMN {g} BIGINT AS ({c} + 1) STORED", ints),
            new("gen_added_virtual", "{c} INT NULL", "ADD COLUMN {g} VARCHAR(24) AS (CONCAT('v', {c})) VIRTUAL", ints),
            new("gen_stored_to_plain", "{c} INT NULL", "MODIFY {g} BIGINT NULL", ints) { Companion = "{g} BIGINT AS ({c} + 1) STORED" },
            new("plain_to_gen_stored", "{c} INT NULL", "MODIFY {g} BIGINT AS ({c} * 3) STORED", ints) { Companion = "{g} BIGINT NULL", CompanionValues = Ints(-5, 5, 0) },
            new("gen_virtual_expr_changed", "{c} INT NULL", "MODIFY {g} BIGINT AS ({c} + 2) VIRTUAL", ints) { Companion = "{g} BIGINT AS ({c} + 1) VIRTUAL" },
            new("gen_stored_expr_changed", "{c} INT NULL", "MODIFY {g} BIGINT AS ({c} - 2) STORED", ints) { Companion = "{g} BIGINT AS ({c} - 1) STORED" },
        ];
    }

    /// <summary>The server converts these with notes or warnings (rounding, truncation): refusing is as good as equal.</summary>
    private static List<TypePair> LossyWithWarnings() =>
    [
        new("dec12_4_to_dec10_2_rounding", "{c} DECIMAL(12,4) NULL", "MODIFY {c} DECIMAL(10,2) NULL", new([new("1.2350"), new("-1.2349"), new("0.0050")], Decimal(6, 4))),
        new("float_to_decimal", "{c} FLOAT NULL", "MODIFY {c} DECIMAL(12,4) NULL", new([new("0.1"), new("1.23456"), new("-3.3")], Double(10000))),
        new("double_to_decimal", "{c} DOUBLE NULL", "MODIFY {c} DECIMAL(20,6) NULL", new([new("0.1"), new("1e-7"), new("123456.1234567")], Double(1e6))),
        new("datetime6_to_date", "{c} DATETIME(6) NULL", "MODIFY {c} DATE NULL", new([S("2024-01-01 23:59:59.999999")], Timestamp(L, Y1000, Y9999, 6))),
    ];

    /// <summary>Seed data the new types cannot hold: the server's ALTER refuses, so must ShadowCopy (at preflight).</summary>
    private static List<TypePair> Refused() =>
    [
        new("varchar_word_to_int", "{c} VARCHAR(10) NULL", "MODIFY {c} INT NULL", Words("abc", "12")),
        new("emoji_to_latin1", "{c} VARCHAR(10) CHARACTER SET utf8mb4 NULL", "MODIFY {c} VARCHAR(10) CHARACTER SET latin1 NULL", Words("😀", "a")),
        new("int_300_to_tinyint", "{c} INT NULL", "MODIFY {c} TINYINT NULL", Ints(200, 400, 300)),
    ];

    /// <summary>Seed data fits; values written during the run do not. The server's ALTER of C refuses, so ShadowCopy must not swap.</summary>
    private static List<TypePair> RefusedLate() =>
    [
        new("int_to_tinyint_late", "{c} INT NULL", "MODIFY {c} TINYINT NULL", Ints(-128, 127, -128, 127) with { Late = [new("300"), new("-129")] }),
        new("utf8mb4_to_latin1_late", "{c} VARCHAR(20) CHARACTER SET utf8mb4 NULL", "MODIFY {c} VARCHAR(20) CHARACTER SET latin1 NULL",
            new([S("café")], Text(L, "abc é", 10)) { Late = [S("😀 late")] }),
        new("null_to_not_null_late", "{c} INT NULL", "MODIFY {c} INT NOT NULL", new([new("0")], Int(-5, 5)) { Nullable = false, Late = [DiffValue.Null] }),
    ];

    private static byte[] RandomBytes(Random r, int max)
    {
        var bytes = new byte[r.Next(0, max + 1)];
        r.NextBytes(bytes);
        return bytes;
    }
}
