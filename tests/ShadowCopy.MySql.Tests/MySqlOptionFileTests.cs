using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql.External;

namespace ShadowCopy.MySql.Tests;

public sealed class MySqlOptionFileTests
{
    [Theory]
    [InlineData("plain", "[client]\npassword=\"plain\"\n")]
    [InlineData(" spaced # ; ", "[client]\npassword=\" spaced # ; \"\n")]
    [InlineData("back\\slash", "[client]\npassword=\"back\\\\slash\"\n")]
    [InlineData("has\"quote", "[client]\npassword='has\"quote'\n")]
    public void Content_quotes_and_escapes_the_password(string password, string expected) =>
        Assert.Equal(expected, MySqlOptionFile.Content(password));

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("both'\"quotes")]
    public void Content_refuses_what_an_option_file_cannot_hold(string password) =>
        Assert.Equal(ExitCodes.UsageError, Assert.Throws<ShadowCopyException>(() => MySqlOptionFile.Content(password)).ExitCode);

    [Fact]
    public void Create_writes_a_file_only_the_owner_can_read_and_Dispose_deletes_it()
    {
        string path;
        using (var file = MySqlOptionFile.Create("s3cret"))
        {
            path = file.Path;
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            Assert.Contains("s3cret", File.ReadAllText(path), StringComparison.Ordinal);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ToolNames_never_collide_with_shadowcopys_own_helpers()
    {
        var ours = Core.Schema.HelperObjectNames.For("orders", 64);
        var ptOsc = ExternalTool.PtOsc.NamesFor("orders");
        var ghost = ExternalTool.Ghost.NamesFor("orders");
        string[] own = [ours.Shadow, ours.Old, ours.ChangeLog, "_orders_ins", "_orders_upd", "_orders_del"];

        Assert.Equal("_orders_ptosc", ptOsc.Shadow);
        Assert.Equal(ours.Old, ptOsc.Old); // we swap for pt-osc: our old-table name
        Assert.Equal("_orders_gho", ghost.Shadow);
        Assert.Equal("_orders_del", ghost.Old);
        Assert.DoesNotContain(ptOsc.Shadow, own);
        Assert.DoesNotContain(ghost.Shadow, own);
        Assert.DoesNotContain("_orders_ghc", own);
    }
}
