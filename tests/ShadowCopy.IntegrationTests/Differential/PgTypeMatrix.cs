using ShadowCopy.Postgres;
using static ShadowCopy.IntegrationTests.Differential.Gen;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// PostgreSQL type pairs (original column → ALTER COLUMN … clause), grouped in families of one table each.
/// Every pair without USING is an assignment cast the server's ALTER applies; the USING families
/// carry an expression the server evaluates per row (a plain cast or a value-changing expression).
/// Values fit the new type unless the family says otherwise.
/// </summary>
internal static class PgTypeMatrix
{
    private static readonly DateTime Y1900 = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly DateTime Y2100 = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Types and domains the families use, created in the case's schema.</summary>
    private static readonly string[] Types =
    [
        "CREATE TYPE {s}.mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE DOMAIN {s}.posint AS integer CHECK (VALUE > 0)",
        "CREATE DOMAIN {s}.code AS text CHECK (VALUE ~ '^[a-z]*$')",
    ];

    /// <param name="citext">Whether the citext extension is installed (it is optional: postgresql-contrib).</param>
    /// <remarks>
    /// Fewer, wider tables than on MySQL: PostgreSQL runs cost more (schema, slot), and these pairs do
    /// not stop each other's run (a difference shows per column; only a refusal hides the other pairs).
    /// </remarks>
    public static IReadOnlyList<DiffFamily> Families(bool citext) =>
    [
        new("numeric_text", [.. Numeric(), .. TextPairs(citext)], []) { Note = citext ? null : "citext pairs left out: the extension is not available on this server" },
        new("temporal_enum_json", [.. Temporal(), .. EnumJson()], Types),
        new("array_domain_generated", [.. ArrayDomain(), .. Generated()], Types),
        new("using_cast", UsingCast(), Types),
        new("using_expression", UsingExpression(), []),
        new("refused", Refused(), []),
        new("refused_late", RefusedLate(), []),
    ];

    /// <summary>Families whose pairs may share a table drawn at random.</summary>
    public static IReadOnlyList<string> Mixable { get; } = ["numeric_text", "temporal_enum_json", "array_domain_generated"];

    public static IReadOnlyList<string> MixedPrelude => Types;

    private static string L(string text) => PgDialect.Instance.QuoteLiteral(text);

    private static DiffValue S(string text) => new(L(text));

    private static ValueDomain Words(params string[] words) => ValueDomain.Of([.. words.Select(S)]);

    private static ValueDomain Ints(long min, long max, params long[] edges) =>
        new([.. edges.Select(e => new DiffValue(e.ToString(System.Globalization.CultureInfo.InvariantCulture)))], Int(min, max));

    private static TypePair Retype(string id, string from, string to, ValueDomain values) => new(id, "{c} " + from, "ALTER COLUMN {c} TYPE " + to, values);

    private static List<TypePair> Numeric() =>
    [
        Retype("int_to_bigint", "integer", "bigint", Ints(int.MinValue, int.MaxValue, int.MinValue, int.MaxValue, 0)),
        Retype("int_to_numeric", "integer", "numeric(14,2)", Ints(int.MinValue, int.MaxValue, int.MinValue, int.MaxValue)),
        Retype("int_to_text", "integer", "text", Ints(int.MinValue, int.MaxValue, int.MinValue, -1, 0)),
        Retype("smallint_to_int", "smallint", "integer", Ints(short.MinValue, short.MaxValue, short.MinValue, short.MaxValue)),
        Retype("bigint_to_int", "bigint", "integer", Ints(int.MinValue, int.MaxValue, int.MinValue, int.MaxValue)),
        Retype("numeric_scale_up", "numeric(10,2)", "numeric(12,4)", new([new("0"), new("-0.01"), new("99999999.99")], Decimal(8, 2))),
        // PostgreSQL rounds here without a warning: the result must be the same rounding.
        Retype("numeric_scale_down", "numeric(12,4)", "numeric(12,2)", new([new("1.2350"), new("-1.2349"), new("0.0050"), new("-0.0050")], Decimal(8, 4))),
        Retype("numeric_free_to_typed", "numeric", "numeric(20,5)", new([S("NaN"), new("0.000005"), new("-123456789012345.123454"), new("1e-20")], Decimal(14, 9))),
        Retype("real_to_double", "real", "double precision", new([new("0.1"), new("3.4028235e38"), S("-0"), S("NaN"), S("Infinity"), S("-Infinity"), new("1.17549435e-38")], Double(1000))),
        Retype("double_to_numeric", "double precision", "numeric(30,10)", new([new("0.1"), new("1e-11"), S("NaN"), new("-123456.7890123456")], Double(1e6))),
        Retype("numeric_to_double", "numeric(20,10)", "double precision", new([new("0.1"), new("1234567890.0123456789")], Decimal(10, 10))),
        Retype("int_nn_default", "integer NOT NULL DEFAULT 7", "bigint", Ints(-5, 5, 7) with { Nullable = false, HasDefault = true }),
        Retype("int_to_double", "integer", "double precision", Ints(int.MinValue, int.MaxValue, int.MaxValue)),
    ];

    private static List<TypePair> TextPairs(bool citext)
    {
        const string wide = "aZ é€✓😀'\\\"";
        List<TypePair> pairs =
        [
            Retype("varchar_to_text", "varchar(20)", "text", new([S(""), S("ñ€✓😀"), S("a'b\\c")], Text(L, wide, 20))),
            Retype("text_to_varchar", "text", "varchar(50)", new([S(""), S("trailing  ")], Text(L, wide, 50))),
            Retype("char_to_text", "character(6)", "text", new([S("ab"), S("ab    "), S("  x"), S("")], Text(L, "ab é", 6))),
            Retype("char_to_varchar", "character(6)", "varchar(10)", new([S("ab  "), S("")], Text(L, "ab é", 6))),
            Retype("varchar_shrink_fits", "varchar(40)", "varchar(10)", new([S("0123456789"), S("")], Text(L, wide, 10))),
            Retype("varchar_to_char", "varchar(6)", "character(6)", new([S("ab "), S("")], Text(L, "ab é", 6))),
            Retype("uuid_to_text", "uuid", "text", new([S("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), S("00000000-0000-0000-0000-000000000000")], r => S(new Guid(RandomBytes(r, 16)).ToString()))),
            Retype("bytea_to_text", "bytea", "text", new([S("\\x"), S("\\x00ff"), S("\\x616263")], r => S("\\x" + Convert.ToHexString(RandomBytes(r, 8))))),
            Retype("inet_to_text", "inet", "text", ValueDomain.Of(S("192.168.0.1/24"), S("::1"), S("10.0.0.1"))),
            Retype("int_to_varchar", "integer", "varchar(12)", Ints(int.MinValue, int.MaxValue, int.MinValue)),
            Retype("text_collate_c", "text", "text COLLATE \"C\"", new([S("B"), S("a"), S("é")], Text(L, wide, 8))),
            new("text_default_changed", "{c} text NOT NULL DEFAULT 'x'", "ALTER COLUMN {c} SET DEFAULT 'y'", new([S("x")], Text(L, "xyz", 5)) { Nullable = false, HasDefault = true }),
        ];
        if (citext)
        {
            pairs.Add(Retype("text_to_citext", "text", "citext", new([S("Ab"), S("aB"), S("")], Text(L, wide, 10))));
            pairs.Add(Retype("citext_to_text", "citext", "text", new([S("Ab"), S("ÄÖ")], Text(L, wide, 10))));
        }

        return pairs;
    }

    private static List<TypePair> Temporal()
    {
        var local = new DiffValue[] { S("2024-03-10 02:30:00"), S("2024-11-03 01:30:00"), S("infinity"), S("-infinity"), S("1883-11-18 12:00:00"), S("0044-03-15 12:00:00 BC") };
        return
        [
            Retype("ts_to_tstz", "timestamp(6)", "timestamptz", new(local, Timestamp(L, Y1900, Y2100, 6))),
            Retype("tstz_to_ts", "timestamptz", "timestamp", new([S("2024-11-03 05:30:00+00"), S("2024-11-03 06:30:00+00"), S("infinity"), S("1883-11-18 12:00:00+00"), S("0044-03-15 12:00:00+00 BC")], Timestamp(L, Y1900, Y2100, 6))),
            Retype("ts6_to_ts0", "timestamp(6)", "timestamp(0)", new([S("2024-01-01 00:00:00.5"), S("2024-12-31 23:59:59.999999"), S("infinity")], Timestamp(L, Y1900, Y2100, 6))),
            Retype("date_to_ts", "date", "timestamp", new([S("infinity"), S("-infinity"), S("0044-03-15 BC"), S("2024-02-29")], Date(L, Y1900, Y2100))),
            Retype("ts_to_date", "timestamp", "date", new([S("2024-01-01 23:59:59"), S("infinity")], Timestamp(L, Y1900, Y2100, 0))),
            Retype("tstz_to_date", "timestamptz", "date", new([S("2024-01-01 03:00:00+00"), S("2024-01-01 05:00:00+00")], Timestamp(L, Y1900, Y2100, 0))),
            Retype("tstz_to_text", "timestamptz", "text", new([S("2024-07-01 12:00:00+02"), S("infinity")], Timestamp(L, Y1900, Y2100, 6))),
            Retype("time6_to_time0", "time(6)", "time(0)", ValueDomain.Of(S("23:59:59.5"), S("00:00:00.499999"), S("24:00:00"), S("12:34:56.789"))),
            Retype("time_to_interval", "time", "interval", ValueDomain.Of(S("00:00:00"), S("23:59:59.999999"), S("12:00"))),
            Retype("interval_to_text", "interval", "text", ValueDomain.Of(S("1 year 2 mons"), S("-3 days 04:05:06"), S("00:00:00.000001"), S("P1Y2M3DT4H5M6S"))),
        ];
    }

    private static List<TypePair> EnumJson()
    {
        var json = new DiffValue[] { S("{\"b\":1, \"a\":2, \"a\":3}"), S("  [ 1 , 2 ]  "), S("\"\\u00e9\""), S("null"), S("1e2"), S("-0"), S("1.000000000000000000001"), S("{}") };
        return
        [
            Retype("enum_to_text", "{s}.mood", "text", Words("sad", "ok", "happy")),
            Retype("enum_to_varchar", "{s}.mood", "varchar(10)", Words("sad", "ok", "happy")),
            Retype("json_to_jsonb", "json", "jsonb", new(json, r => S($"{{\"n\": {r.Next()}, \"s\": \"{Chars(r, "aé😀", 5)}\"}}"))),
            Retype("jsonb_to_json", "jsonb", "json", new(json, r => S($"[{r.Next()}, null]"))),
            Retype("jsonb_to_text", "jsonb", "text", new(json, r => S($"{{\"k{r.Next(5)}\": {r.Next()}}}"))),
            Retype("json_to_text", "json", "text", new(json, r => S($"{{ \"k\" : {r.Next()} }}"))),
        ];
    }

    private static List<TypePair> ArrayDomain() =>
    [
        Retype("int_array_to_bigint_array", "integer[]", "bigint[]", new([S("{}"), S("{NULL}"), S("{1,NULL,3}"), S("{{1,2},{3,4}}"), S("[0:1]={7,8}")], r => S($"{{{r.Next()},{r.Next(-9, 9)}}}"))),
        Retype("text_array_to_varchar_array", "text[]", "varchar(10)[]", new([S("{\"a,b\",\"c\\\"d\",NULL,\"\"}"), S("{}")], r => S($"{{{Chars(r, "abé", 3)},x}}"))),
        Retype("int_array_to_text", "integer[]", "text", new([S("{}"), S("{1,NULL}"), S("{{1},{2}}")], r => S($"{{{r.Next()}}}"))),
        Retype("numeric_array_scale", "numeric(10,2)[]", "numeric(12,4)[]", new([S("{1.50,NULL}"), S("{}")], r => S($"{{{r.Next(1000)}.{r.Next(100):00}}}"))),
        Retype("posint_to_int", "{s}.posint", "integer", Ints(1, int.MaxValue, 1, int.MaxValue)),
        Retype("int_to_posint", "integer", "{s}.posint", Ints(1, 1000, 1)),
        Retype("code_to_text", "{s}.code", "text", new([S(""), S("abc")], Text(L, "abcxyz", 8))),
    ];

    private static List<TypePair> Generated()
    {
        var ints = Ints(-1000, 1000, 0, int.MaxValue / 4);
        return
        [
            new("gen_type_changed", "{c} integer", "ALTER COLUMN {g} TYPE bigint", ints) { Companion = "{g} integer GENERATED ALWAYS AS ({c} * 2) STORED" },
            new("gen_added", "{c} integer", "ADD COLUMN {g} bigint GENERATED ALWAYS AS ({c} + 1) STORED", ints),
            new("gen_drop_expression", "{c} integer", "ALTER COLUMN {g} DROP EXPRESSION", ints) { Companion = "{g} integer GENERATED ALWAYS AS ({c} + 1) STORED" },
            new("gen_base_default", "{c} integer", "ALTER COLUMN {c} SET DEFAULT 5", ints) { Companion = "{g} bigint GENERATED ALWAYS AS ({c} - 1) STORED" },
        ];
    }

    /// <summary>USING with a plain cast: required where no assignment cast exists (text → integer, enum, uuid…).</summary>
    private static List<TypePair> UsingCast() =>
    [
        new("text_to_int_using", "{c} text", "ALTER COLUMN {c} TYPE integer USING {c}::integer", new([S("007"), S("-12"), S("2147483647")], r => S(r.Next(-99999, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
        new("text_to_enum_using", "{c} text", "ALTER COLUMN {c} TYPE {s}.mood USING {c}::{s}.mood", Words("sad", "ok", "happy")),
        new("text_to_uuid_using", "{c} text", "ALTER COLUMN {c} TYPE uuid USING {c}::uuid", new([S("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), S("{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}")], r => S(new Guid(RandomBytes(r, 16)).ToString("N")))),
        new("text_to_jsonb_using", "{c} text", "ALTER COLUMN {c} TYPE jsonb USING {c}::jsonb", new([S("{\"b\":1,\"a\":2}"), S(" [ ] ")], r => S($"[{r.Next()}]"))),
        new("text_to_date_using", "{c} text", "ALTER COLUMN {c} TYPE date USING {c}::date", new([S("2024-02-29"), S("infinity"), S("Jan 8 1999")], Date(L, Y1900, Y2100))),
        new("text_to_bool_using", "{c} text", "ALTER COLUMN {c} TYPE boolean USING {c}::boolean", Words("t", "false", "yes", "0", "on")),
        new("text_to_int_array_using", "{c} text", "ALTER COLUMN {c} TYPE integer[] USING {c}::integer[]", new([S("{}"), S("{1,NULL}")], r => S($"{{{r.Next()}}}"))),
    ];

    /// <summary>USING with an expression that changes the values: the server's ALTER applies it to every row.</summary>
    private static List<TypePair> UsingExpression() =>
    [
        new("int_times_two_using", "{c} integer", "ALTER COLUMN {c} TYPE bigint USING ({c} * 2)", Ints(-100000, 100000, 1_000_000_000, -1_000_000_000, 0)),
        new("text_upper_using", "{c} text", "ALTER COLUMN {c} TYPE varchar(40) USING upper({c})", new([S("abc"), S("é"), S("")], Text(L, "abcé", 20))),
        new("int_to_text_concat_using", "{c} integer", "ALTER COLUMN {c} TYPE text USING ('#' || {c})", Ints(-1000, 1000, 0)),
        new("text_to_bytea_convert_using", "{c} text", "ALTER COLUMN {c} TYPE bytea USING convert_to({c}, 'UTF8')", new([S("é"), S("")], Text(L, "abé", 10))),
        new("tstz_to_ts_utc_using", "{c} timestamptz", "ALTER COLUMN {c} TYPE timestamp USING ({c} AT TIME ZONE 'UTC')", new([S("2024-11-03 05:30:00+00")], Timestamp(L, Y1900, Y2100, 6))),
        new("int_to_bool_using", "{c} integer", "ALTER COLUMN {c} TYPE boolean USING ({c} <> 0)", Ints(-2, 2, 0)),
    ];

    /// <summary>Seed data the new types cannot hold: the server's ALTER refuses, so must ShadowCopy.</summary>
    private static List<TypePair> Refused() =>
    [
        Retype("varchar_too_long", "varchar(10)", "varchar(3)", Words("abcd", "ab")),
        Retype("int_to_smallint_overflow", "integer", "smallint", Ints(30000, 40000, 100000)),
        Retype("numeric_overflow", "numeric(10,2)", "numeric(4,1)", ValueDomain.Of(new("12345.6"), new("1.5"))),
    ];

    /// <summary>Seed data fits; values written during the run do not.</summary>
    private static List<TypePair> RefusedLate() =>
    [
        Retype("int_to_smallint_late", "integer", "smallint", Ints(-30000, 30000, short.MinValue, short.MaxValue) with { Late = [new("100000")] }),
        Retype("text_to_varchar_late", "text", "varchar(5)", new([S("abc")], Text(L, "abc", 5)) { Late = [S("much too long")] }),
        new("null_to_not_null_late", "{c} integer", "ALTER COLUMN {c} SET NOT NULL", new([new("0")], Int(-5, 5)) { Nullable = false, Late = [DiffValue.Null] }),
    ];

    private static byte[] RandomBytes(Random r, int count)
    {
        var bytes = new byte[count];
        r.NextBytes(bytes);
        return bytes;
    }
}
