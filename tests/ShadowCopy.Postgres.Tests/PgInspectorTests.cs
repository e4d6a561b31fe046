namespace ShadowCopy.Postgres.Tests;

public sealed class PgInspectorTests
{
    [Theory]
    [InlineData("s", "a", "a", false, false, " ON UPDATE NO ACTION ON DELETE NO ACTION")]
    [InlineData("f", "c", "n", false, false, " MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL")]
    [InlineData("s", "r", "d", true, false, " ON UPDATE RESTRICT ON DELETE SET DEFAULT DEFERRABLE")]
    [InlineData("s", "a", "c", true, true, " ON UPDATE NO ACTION ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED")]
    public void ForeignKeyTail_catalog_codes_become_clauses(string match, string onUpdate, string onDelete, bool deferrable, bool deferred, string expected)
    {
        Assert.Equal(expected, PgInspector.ForeignKeyTail(match, onUpdate, onDelete, deferrable, deferred));
    }
}
