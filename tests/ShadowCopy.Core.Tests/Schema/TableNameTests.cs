using ShadowCopy.Core.Schema;

namespace ShadowCopy.Core.Tests.Schema;

public sealed class TableNameTests
{
    [Theory]
    [InlineData("orders", "public", "orders")]
    [InlineData("Orders", "public", "orders")]
    [InlineData("Sales.Orders", "sales", "orders")]
    [InlineData("\"Sales\".\"Orders\"", "Sales", "Orders")]
    [InlineData("\"Order Items\"", "public", "Order Items")]
    [InlineData("\"a\"\"b\"", "public", "a\"b")]
    [InlineData("\"x.y\".\"z\"", "x.y", "z")]
    [InlineData("sales.\"Order.Items\"", "sales", "Order.Items")]
    [InlineData("\"\"\"\"", "public", "\"")]
    [InlineData("My\"Mixed\"Part", "public", "myMixedpart")]
    public void Parse_folds_unquoted_parts_and_keeps_quoted_parts(string text, string schema, string name)
    {
        Assert.Equal(new TableName(schema, name), TableName.Parse(text, "public"));
    }

    [Theory]
    [InlineData("ÄPFEL", "Äpfel")]
    [InlineData("Größe", "größe")]
    [InlineData("ΣΟΦΙΑ", "ΣΟΦΙΑ")]
    [InlineData("İNDEX", "İndex")]
    public void Parse_unquoted_folds_only_ASCII_letters_like_PostgreSQL_in_UTF8(string text, string name)
    {
        // scansup.c downcase_identifier: A-Z only when the server encoding is multibyte.
        Assert.Equal(new TableName("public", name), TableName.Parse(text, "public"));
    }

    [Fact]
    public void Parse_without_schema_uses_the_default_schema()
    {
        Assert.Equal(new TableName("app", "orders"), TableName.Parse("orders", "app"));
    }

    [Fact]
    public void Parse_without_folding_keeps_unquoted_case()
    {
        Assert.Equal(new TableName("Shop", "Orders"), TableName.Parse("Shop.Orders", "public", foldUnquotedToLower: false));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData(".orders")]
    [InlineData("sales.")]
    [InlineData("sales..orders")]
    [InlineData("\"\"")]
    [InlineData("\"\".orders")]
    [InlineData("sales.\"\"")]
    [InlineData("a.b.c")]
    [InlineData("db.\"sales\".orders")]
    [InlineData("\"orders")]
    [InlineData("sales.\"orders")]
    [InlineData("\"a\"\"")]
    public void Parse_malformed_names_throw_FormatException(string text)
    {
        Assert.Throws<FormatException>(() => TableName.Parse(text, "public"));
    }

    [Fact]
    public void ToString_joins_schema_and_name()
    {
        Assert.Equal("sales.Order Items", new TableName("sales", "Order Items").ToString());
    }
}
