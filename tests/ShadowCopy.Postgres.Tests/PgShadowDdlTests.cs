using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Shadow;
using static ShadowCopy.Postgres.Tests.Fakes.PgModel;

namespace ShadowCopy.Postgres.Tests;

public sealed class PgShadowDdlTests
{
    [Theory]
    [InlineData("CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)", "USING btree (id)")]
    [InlineData("CREATE INDEX i ON ONLY public.t USING btree (a)", "USING btree (a)")]
    [InlineData("CREATE INDEX t_doc_idx ON public.t USING gin (doc) WHERE (active AND (kind = 'x USING y'::text))", "USING gin (doc) WHERE (active AND (kind = 'x USING y'::text))")]
    [InlineData("CREATE UNIQUE INDEX i ON public.t USING btree (a) INCLUDE (b, c) WITH (fillfactor='70') WHERE (b > 0)", "USING btree (a) INCLUDE (b, c) WITH (fillfactor='70') WHERE (b > 0)")]
    [InlineData("CREATE INDEX \"weird ON x USING y\" ON public.t USING hash (a)", "USING hash (a)")]
    [InlineData("CREATE INDEX i ON \"my schema\".\"t USING z ON w\" USING btree (a DESC NULLS LAST)", "USING btree (a DESC NULLS LAST)")]
    [InlineData("CREATE INDEX \"a\"\" ON \"\"b USING c\" ON \"s\"\" USING \".\"t\" USING btree (\"x USING\")", "USING btree (\"x USING\")")]
    public void IndexTail_returns_the_part_from_USING(string definition, string expected)
    {
        Assert.Equal(expected, PgShadowDdl.IndexTail(Index("i", definition)));
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("CREATE INDEX \"i ON t USING btree (a)\"")]
    [InlineData("CREATE INDEX i ON public.t")]
    public void IndexTail_unexpected_definition_throws_FormatException(string definition)
    {
        Assert.Throws<FormatException>(() => PgShadowDdl.IndexTail(Index("i", definition)));
    }

    [Fact]
    public void Build_creates_like_table_with_indexes_under_temp_names_and_the_marker_comment()
    {
        var source = Table(
            "orders",
            [Column(1, "id", "bigint"), Column(2, "email", "text")],
            [
                Index("orders_pkey", "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)", unique: true, constraintType: "p", constraintName: "orders_pkey", constraintDefinition: "PRIMARY KEY (id)"),
                Index("orders_email_key", "CREATE UNIQUE INDEX orders_email_key ON public.orders USING btree (email)", unique: true, constraintType: "u", constraintName: "Email Unique", constraintDefinition: "UNIQUE (email)"),
                Index("orders_lower_email", "CREATE UNIQUE INDEX orders_lower_email ON public.orders USING btree (lower(email))", unique: true),
                Index("orders_email_trgm", "CREATE INDEX orders_email_trgm ON public.orders USING gin (email gin_trgm_ops)"),
                Index("orders_broken", "CREATE INDEX orders_broken ON public.orders USING btree (email)", valid: false),
            ]);
        var indexNames = new Dictionary<string, string>();
        var constraintNames = new Dictionary<string, string>();

        var statements = PgShadowDdl.Build(source, HelperObjectNames.For("orders", 63), indexNames, constraintNames);

        Assert.Equal(
            [
                "CREATE TABLE \"public\".\"_orders_new\" (LIKE \"public\".\"orders\" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STATISTICS INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)",
                "ALTER TABLE \"public\".\"_orders_new\" ADD CONSTRAINT \"_orders_pkey_new\" PRIMARY KEY (id)",
                "ALTER TABLE \"public\".\"_orders_new\" ADD CONSTRAINT \"_orders_email_key_new\" UNIQUE (email)",
                "CREATE UNIQUE INDEX \"_orders_lower_email_new\" ON \"public\".\"_orders_new\" USING btree (lower(email))",
                "CREATE INDEX \"_orders_email_trgm_new\" ON \"public\".\"_orders_new\" USING gin (email gin_trgm_ops)",
                "COMMENT ON TABLE \"public\".\"_orders_new\" IS 'shadowcopy:shadow of public.orders; remove with shadowcopy cleanup'",
            ],
            statements);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["orders_pkey"] = "_orders_pkey_new",
                ["orders_email_key"] = "_orders_email_key_new",
                ["orders_lower_email"] = "_orders_lower_email_new",
                ["orders_email_trgm"] = "_orders_email_trgm_new",
            },
            indexNames);
        Assert.Equal(new Dictionary<string, string> { ["orders_pkey"] = "_orders_pkey_new", ["Email Unique"] = "_orders_email_key_new" }, constraintNames);
        Assert.Contains($" IS '{PgObjects.Marker}", statements[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Build_unlogged_table_keeps_reloptions_tablespace_and_quotes_hostile_names()
    {
        var source = Table(
            "it's \"big\"",
            [Column(1, "id", "bigint")],
            [],
            schema: "my schema",
            relOptions: ["fillfactor=70", "autovacuum_enabled=false", "toast_tuple_target"],
            tablespace: "fast \"disk\"",
            persistence: "u");

        var statements = PgShadowDdl.Build(source, HelperObjectNames.For(source.Name, 63), [], []);

        Assert.Equal(
            [
                "CREATE UNLOGGED TABLE \"my schema\".\"_it's \"\"big\"\"_new\" (LIKE \"my schema\".\"it's \"\"big\"\"\" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STATISTICS INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)"
                + " WITH (fillfactor = '70', autovacuum_enabled = 'false', toast_tuple_target = 'true') TABLESPACE \"fast \"\"disk\"\"\"",
                "COMMENT ON TABLE \"my schema\".\"_it's \"\"big\"\"_new\" IS 'shadowcopy:shadow of my schema.it''s \"big\"; remove with shadowcopy cleanup'",
            ],
            statements);
    }

    [Fact]
    public void Build_long_index_name_gets_a_temp_name_within_63_bytes()
    {
        var longName = new string('i', 63);
        var source = Table("t", [Column(1, "id", "bigint")], [Index(longName, $"CREATE INDEX {longName} ON public.t USING btree (id)")]);
        var indexNames = new Dictionary<string, string>();

        PgShadowDdl.Build(source, HelperObjectNames.For("t", 63), indexNames, []);

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(indexNames[longName]) <= 63);
        Assert.NotEqual(longName, indexNames[longName]);
    }
}
