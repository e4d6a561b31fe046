using System.Text;
using ShadowCopy.MySql.CutOver;

namespace ShadowCopy.MySql.Tests;

public class MySqlGoTokenTests
{
    // MariaDB orders a statement's metadata locks by the bytes of the name: the token must sort
    // after the table so the swap's RENAME waits on the table, never on the token.
    private static int CompareBytes(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    [Theory]
    [InlineData("orders")]
    [InlineData("Orders")]
    [InlineData("t")]
    [InlineData("9lives")]
    [InlineData("ünïcödé_táblé")]
    public void For_short_names_appends_to_the_table_name(string table)
    {
        var tokens = MySqlGoToken.For(table)!.Value;

        Assert.Equal(table + "~go", tokens.Go);
        Assert.Equal(table + "~gone", tokens.Gone);
        Assert.True(CompareBytes(tokens.Go, table) > 0);
        Assert.True(CompareBytes(tokens.Gone, table) > 0);
    }

    [Fact]
    public void For_a_64_character_name_cuts_it_and_still_sorts_after_it()
    {
        var table = new string('a', 30) + new string('z', 34);

        var tokens = MySqlGoToken.For(table)!.Value;

        Assert.True(tokens.Go.Length <= 64 && tokens.Gone.Length <= 64);
        Assert.True(CompareBytes(tokens.Go, table) > 0);
        Assert.True(CompareBytes(tokens.Gone, table) > 0);
        Assert.NotEqual(tokens.Go, MySqlGoToken.For(new string('a', 30) + new string('y', 34))!.Value.Go);
    }

    [Fact]
    public void For_a_long_name_made_of_characters_above_tilde_has_no_token()
    {
        Assert.Null(MySqlGoToken.For(new string('é', 64)));
    }
}
