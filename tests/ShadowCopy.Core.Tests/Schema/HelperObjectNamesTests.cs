using System.Text;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Core.Tests.Schema;

public sealed class HelperObjectNamesTests
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Fact]
    public void For_short_table_names_every_helper_with_its_suffix()
    {
        Assert.Equal(new HelperObjectNames("_orders_new", "_orders_old", "_orders_log", "_orders_trg", "_orders_fn") { State = "_orders_state" }, HelperObjectNames.For("orders", 63));
    }

    [Fact]
    public void Derive_name_exactly_at_the_limit_is_kept()
    {
        var name = new string('a', 63 - "__new".Length);

        Assert.Equal($"_{name}_new", HelperObjectNames.Derive(name, "new", 63));
    }

    [Theory]
    [InlineData(59)]
    [InlineData(63)]
    [InlineData(200)]
    public void Derive_name_over_the_limit_is_cut_and_hashed_within_the_limit(int length)
    {
        var name = new string('a', length);

        var derived = HelperObjectNames.Derive(name, "new", 63);

        Assert.Equal(63, Encoding.UTF8.GetByteCount(derived));
        Assert.Matches("^_a+~[0-9a-f]{8}_new$", derived);
    }

    [Fact]
    public void Derive_two_long_names_sharing_a_prefix_differ()
    {
        var prefix = new string('p', 70);

        var first = HelperObjectNames.Derive(prefix + "_left", "old", 63);
        var second = HelperObjectNames.Derive(prefix + "_right", "old", 63);

        Assert.NotEqual(first, second);
        Assert.Equal(first[..^13], second[..^13]);
    }

    [Fact]
    public void Derive_is_deterministic()
    {
        var name = new string('z', 80);

        Assert.Equal(HelperObjectNames.Derive(name, "log", 63), HelperObjectNames.Derive(name, "log", 63));
    }

    [Theory]
    [InlineData("é", 63)]
    [InlineData("日本", 63)]
    [InlineData("😀", 63)]
    [InlineData("a😀", 63)]
    [InlineData("aé日😀", 64)]
    [InlineData("é", 20)]
    public void Derive_multibyte_names_are_cut_at_a_character_boundary(string unit, int limit)
    {
        var name = string.Concat(Enumerable.Repeat(unit, 40));

        foreach (var suffix in new[] { "new", "old", "log", "trg", "fn" })
        {
            var derived = HelperObjectNames.Derive(name, suffix, limit);

            var bytes = StrictUtf8.GetBytes(derived); // throws on a lone surrogate
            Assert.True(bytes.Length <= limit, $"{derived} is {bytes.Length} bytes");
            Assert.True(bytes.Length > limit - 4, $"{derived} wastes bytes: {bytes.Length}");
            Assert.EndsWith("_" + suffix, derived, StringComparison.Ordinal);
            Assert.StartsWith("_" + derived[1..derived.IndexOf('~', StringComparison.Ordinal)], "_" + name, StringComparison.Ordinal);
        }
    }
}
