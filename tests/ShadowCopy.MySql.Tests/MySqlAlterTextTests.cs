using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql.Shadow;

namespace ShadowCopy.MySql.Tests;

public sealed class MySqlAlterTextTests
{
    [Fact]
    public void Renames_reads_change_column_and_rename_column_with_quoted_names()
    {
        var renames = MySqlAlterText.Renames("CHANGE COLUMN `a``b` c INT NOT NULL, RENAME COLUMN d TO `e f`, CHANGE g h VARCHAR(10) DEFAULT 'x,y', ADD COLUMN z INT");
        Assert.Equal("c", renames["a`b"]);
        Assert.Equal("e f", renames["d"]);
        Assert.Equal("h", renames["g"]);
        Assert.Equal(3, renames.Count);
    }

    [Theory]
    [InlineData("RENAME TO other")]
    [InlineData("ADD COLUMN x INT, RENAME AS other")]
    [InlineData("rename other")]
    public void Validate_refuses_a_table_rename(string alter)
    {
        var refusal = Assert.Throws<PreflightRefusedException>(() => MySqlAlterText.Validate(alter));
        Assert.Equal(RefusalReason.AlterRejected, refusal.Reason);
    }

    [Theory]
    [InlineData("RENAME COLUMN a TO b")]
    [InlineData("RENAME INDEX a TO b")]
    [InlineData("RENAME KEY a TO b")]
    [InlineData("ADD COLUMN `rename` INT")]
    public void Validate_accepts_column_and_index_renames(string alter) => Assert.Equal(alter, MySqlAlterText.Validate(alter + ";"));

    [Fact]
    public void Validate_refuses_empty_alter() =>
        Assert.Throws<PreflightRefusedException>(() => MySqlAlterText.Validate("  "));
}
