using ShadowCopy.MySql.Model;

namespace ShadowCopy.MySql.Tests;

public sealed class MyMappingTests
{
    private static MyColumn Col(string name, bool generated = false, bool nullable = false) => new(name, "int(11)", null, nullable, generated, false, null);

    private static MyTable Table(IReadOnlyList<MyColumn> columns, params MyIndex[] indexes) => new("db", "t", columns, indexes);

    private static readonly MyIndex Primary = new("PRIMARY", true, ["id"], false);

    [Fact]
    public void Build_maps_by_name_follows_renames_and_reports_dropped_and_added()
    {
        var source = Table([Col("id"), Col("a"), Col("b"), Col("Old")], Primary);
        var shadow = Table([Col("new"), Col("id"), Col("A"), Col("c")], Primary);
        var map = MyMapping.Build(source, shadow, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["old"] = "new" });

        Assert.Equal(["id->id", "a->A", "Old->new"], map.Copied.Select(c => $"{c.SourceName}->{c.ShadowName}"));
        Assert.Equal(["b"], map.Dropped);
        Assert.Equal(["c"], map.Added);
        Assert.Equal(["id"], map.Key.Select(k => k.SourceName));
    }

    [Fact]
    public void Build_never_writes_generated_columns()
    {
        var source = Table([Col("id"), Col("g", generated: true), Col("x")], Primary);
        var shadow = Table([Col("id"), Col("g", generated: true), Col("x", generated: true)], Primary);
        var map = MyMapping.Build(source, shadow, new Dictionary<string, string>());
        Assert.Equal(["id"], map.Copied.Select(c => c.SourceName));
    }

    [Fact]
    public void Build_without_the_key_on_the_shadow_has_no_key()
    {
        var source = Table([Col("id"), Col("a")], Primary);
        var shadow = Table([Col("id"), Col("a")]);
        Assert.Empty(MyMapping.Build(source, shadow, new Dictionary<string, string>()).Key);
    }

    [Fact]
    public void IdentifyingKey_prefers_primary_then_a_not_null_unique_key_without_prefix()
    {
        var columns = new[] { Col("a"), Col("b", nullable: true), Col("c") };
        Assert.Null(Table(columns, new MyIndex("u_b", true, ["b"], false)).IdentifyingKey());
        Assert.Null(Table(columns, new MyIndex("u_c", true, ["c"], true)).IdentifyingKey());
        Assert.Equal("u_a", Table(columns, new MyIndex("u_b", true, ["b"], false), new MyIndex("u_a", true, ["a"], false)).IdentifyingKey()!.Name);
    }
}
