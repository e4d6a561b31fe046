using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Postgres.Model;
using static ShadowCopy.Postgres.Tests.Fakes.PgModel;

namespace ShadowCopy.Postgres.Tests.Model;

public sealed class PgMappingTests
{
    private static readonly PgColumn Id = Column(1, "id", "bigint");

    [Fact]
    public void Build_renamed_column_maps_by_attnum_even_with_a_gap_in_the_source()
    {
        // attnum 2 was dropped long ago: the shadow (created LIKE) numbers live columns 1..n.
        var source = Table("t", [Id, Column(3, "name", "text", notNull: false)], [PrimaryKey("t_pkey", 1)]);
        var shadow = Table("_t_new", [Id, Column(2, "full_name", "text", notNull: false)], [PrimaryKey("t_pkey_new", 1)]);

        var mapping = PgMapping.Build(source, shadow);

        Assert.Equal([new ColumnMap("id", "id", "bigint", "bigint"), new ColumnMap("name", "full_name", "text", "text")], mapping.Copied);
        Assert.Empty(mapping.Dropped);
        Assert.Empty(mapping.Added);
        Assert.Equal([new ColumnMap("id", "id", "bigint", "bigint")], mapping.Key);
        Assert.Equal("t_pkey", mapping.SourceKeyIndex.Name);
    }

    [Fact]
    public void Build_dropped_and_added_columns_are_listed_and_not_copied()
    {
        var source = Table("t", [Id, Column(2, "old_note", "text"), Column(3, "qty", "integer")], [PrimaryKey("t_pkey", 1)]);
        var shadow = Table("_t_new", [Id, Column(3, "qty", "bigint"), Column(4, "created", "timestamptz")], [PrimaryKey("p", 1)]);

        var mapping = PgMapping.Build(source, shadow);

        Assert.Equal(["id", "qty"], mapping.Copied.Select(c => c.SourceName));
        Assert.True(mapping.Copied[1].TypeChanged);
        Assert.Equal(["old_note"], mapping.Dropped);
        Assert.Equal(["created"], mapping.Added);
    }

    [Fact]
    public void Build_generated_column_on_the_shadow_is_not_copied()
    {
        var source = Table("t", [Id, Column(2, "price", "numeric"), Column(3, "total", "numeric", generated: "s")], [PrimaryKey("t_pkey", 1)]);
        var shadow = Table("_t_new", [Id, Column(2, "price", "numeric"), Column(3, "total", "numeric", generated: "s")], [PrimaryKey("p", 1)]);

        var mapping = PgMapping.Build(source, shadow);

        Assert.Equal(["id", "price"], mapping.Copied.Select(c => c.SourceName));
        Assert.Empty(mapping.Dropped);
    }

    [Fact]
    public void Build_no_primary_key_and_no_unique_not_null_index_refuses_NoUsableKey()
    {
        var source = Table("t", [Id, Column(2, "email", "text", notNull: false)], [Unique("t_email_key", 2)]);

        var refusal = Assert.Throws<PreflightRefusedException>(() => PgMapping.Build(source, source));

        Assert.Equal(RefusalReason.NoUsableKey, refusal.Reason);
        Assert.Equal(ExitCodes.NoUsableKey, refusal.ExitCode);
    }

    [Fact]
    public void Build_partial_or_deferrable_unique_index_is_not_a_usable_key()
    {
        var partial = Unique("t_id_partial", 1) with { HasPredicate = true };
        var deferrable = Unique("t_id_deferrable", 1) with { ConstraintDeferrable = true };
        var source = Table("t", [Id], [partial, deferrable]);

        var refusal = Assert.Throws<PreflightRefusedException>(() => PgMapping.Build(source, source));

        Assert.Equal(RefusalReason.NoUsableKey, refusal.Reason);
    }

    [Fact]
    public void Build_key_column_dropped_refuses_KeyNotMappable()
    {
        var source = Table("t", [Id, Column(2, "note", "text")], [PrimaryKey("t_pkey", 1)]);
        var shadow = Table("_t_new", [Column(2, "note", "text")], []);

        var refusal = Assert.Throws<PreflightRefusedException>(() => PgMapping.Build(source, shadow));

        Assert.Equal(RefusalReason.KeyNotMappable, refusal.Reason);
        Assert.Equal(ExitCodes.KeyNotMappable, refusal.ExitCode);
        Assert.Contains("t_pkey", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bigint", "integer")]
    [InlineData("integer", "smallint")]
    [InlineData("integer", "text")]
    [InlineData("text", "character varying(20)")]
    public void Build_key_column_retyped_other_than_integer_widening_refuses_KeyNotMappable(string from, string to)
    {
        var (source, shadow) = RetypedKey(from, to);

        Assert.Equal(RefusalReason.KeyNotMappable, Assert.Throws<PreflightRefusedException>(() => PgMapping.Build(source, shadow)).Reason);
    }

    [Theory]
    [InlineData("smallint", "integer")]
    [InlineData("smallint", "bigint")]
    [InlineData("integer", "bigint")]
    [InlineData("integer", "integer")]
    public void Build_key_column_widened_integer_maps(string from, string to)
    {
        var (source, shadow) = RetypedKey(from, to);

        Assert.Equal([new ColumnMap("id", "id", from, to)], PgMapping.Build(source, shadow).Key);
    }

    [Fact]
    public void Build_key_column_collation_changed_refuses_KeyNotMappable()
    {
        var (source, shadow) = RetypedKey("text", "text", "\"C\"", "\"en_US\"");

        Assert.Equal(RefusalReason.KeyNotMappable, Assert.Throws<PreflightRefusedException>(() => PgMapping.Build(source, shadow)).Reason);
    }

    [Fact]
    public void Build_key_without_a_unique_index_on_the_shadow_refuses_KeyNotMappable()
    {
        var source = Table("t", [Id], [PrimaryKey("t_pkey", 1)]);
        var shadow = Table("_t_new", [Id], []);

        Assert.Equal(RefusalReason.KeyNotMappable, Assert.Throws<PreflightRefusedException>(() => PgMapping.Build(source, shadow)).Reason);
    }

    [Fact]
    public void Build_composite_key_maps_every_column_in_index_order()
    {
        var columns = new[] { Column(1, "tenant", "integer"), Column(2, "note", "text"), Column(3, "seq", "bigint") };
        var source = Table("t", columns, [PrimaryKey("t_pkey", 3, 1)]);
        var shadow = Table("_t_new", [columns[0] with { Name = "tenant_id" }, columns[1], columns[2]], [PrimaryKey("p", 1, 3)]);

        var mapping = PgMapping.Build(source, shadow);

        Assert.Equal(
            [new ColumnMap("seq", "seq", "bigint", "bigint"), new ColumnMap("tenant", "tenant_id", "integer", "integer")],
            mapping.Key);
    }

    [Fact]
    public void Build_without_primary_key_chooses_the_narrowest_unique_not_null_index()
    {
        var columns = new[] { Column(1, "a", "integer"), Column(2, "b", "integer"), Column(3, "c", "text", notNull: false) };
        var wide = Unique("t_a_b_key", 1, 2);
        var narrow = Unique("t_b_key", 2);
        var nullable = Unique("t_c_key", 3);
        var source = Table("t", columns, [wide, nullable, narrow]);

        var mapping = PgMapping.Build(source, source);

        Assert.Equal("t_b_key", mapping.SourceKeyIndex.Name);
        Assert.Equal(["b"], mapping.Key.Select(k => k.SourceName));
    }

    [Fact]
    public void Build_primary_key_preferred_over_a_narrower_unique_index()
    {
        var columns = new[] { Column(1, "a", "integer"), Column(2, "b", "integer") };
        var source = Table("t", columns, [Unique("t_a_key", 1), PrimaryKey("t_pkey", 1, 2)]);

        Assert.Equal("t_pkey", PgMapping.Build(source, source).SourceKeyIndex.Name);
    }

    [Fact]
    public void Build_preferred_key_index_wins_over_the_primary_key()
    {
        var columns = new[] { Column(1, "id", "integer"), Column(2, "email", "text") };
        var source = Table("t", columns, [PrimaryKey("t_pkey", 1), Unique("t_email_key", 2)]);

        var mapping = PgMapping.Build(source, source, preferredKeyIndex: "t_email_key");

        Assert.Equal("t_email_key", mapping.SourceKeyIndex.Name);
        Assert.Equal(["email"], mapping.Key.Select(k => k.SourceName));
    }

    [Fact]
    public void Build_preferred_key_index_that_does_not_qualify_is_passed_over()
    {
        var columns = new[] { Column(1, "id", "integer"), Column(2, "email", "text", notNull: false) };
        var source = Table("t", columns, [PrimaryKey("t_pkey", 1), Unique("t_email_key", 2)]);

        Assert.Equal("t_pkey", PgMapping.Build(source, source, preferredKeyIndex: "t_email_key").SourceKeyIndex.Name);
    }

    [Fact]
    public void Build_primary_key_dropped_falls_back_to_a_unique_index_that_survives()
    {
        var columns = new[] { Column(1, "id", "integer"), Column(2, "email", "text") };
        var source = Table("t", columns, [PrimaryKey("t_pkey", 1), Unique("t_email_key", 2)]);
        var shadow = Table("_t_new", columns, [Unique("t_email_key_new", 2)]);

        var mapping = PgMapping.Build(source, shadow);

        Assert.Equal("t_email_key", mapping.SourceKeyIndex.Name);
        Assert.Equal(["email"], mapping.Key.Select(k => k.SourceName));
    }

    /// <summary>A one-column primary key whose type (and collation) the ALTER changes.</summary>
    private static (PgTable Source, PgTable Shadow) RetypedKey(string from, string to, string? fromCollation = null, string? toCollation = null) =>
        (Table("t", [Column(1, "id", from, collation: fromCollation)], [PrimaryKey("t_pkey", 1)]),
         Table("_t_new", [Column(1, "id", to, collation: toCollation)], [PrimaryKey("p", 1)]));
}
