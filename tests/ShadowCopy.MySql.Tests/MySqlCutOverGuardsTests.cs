using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.CutOver;

namespace ShadowCopy.MySql.Tests;

/// <summary>
/// The guard triggers carry the moved triggers' definitions (base64 in a comment of their body), and
/// cleanup/--resume re-create the user's triggers from exactly that after a kill -9 (ADR 0027): a
/// byte that does not come back is a trigger that silently changed.
/// </summary>
public sealed class MySqlCutOverGuardsTests
{
    private static readonly string LongName = new string('g', 60) + "_ŧrĝ";

    private static readonly MySqlUserTrigger[] Hostile =
    [
        new(LongName, "BEFORE", "INSERT", 1, "SET NEW.label = CONCAT('é ☃ 日本 🚀', 'it''s \"quoted\" `ticked`', NEW.n)", "o'brien@%", string.Empty, "utf8mb4_unicode_ci"),
        new("t_au", "AFTER", "UPDATE", 1, "BEGIN\n  INSERT INTO audit VALUES (NEW.id); -- a; comment\r\n\tSET @x = '*/ moving: QQ== */ /*';\nEND", "`root`@`localhost`", "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION", "latin1_swedish_ci"),
        new("t_au2", "AFTER", "UPDATE", 2, "BEGIN IF NEW.id < 0 THEN SET @y = ';;'; END IF; END", "app@10.0.0.%", "ANSI_QUOTES", "utf8mb4_general_ci"),
        new("t_bd", "BEFORE", "DELETE", long.MaxValue, " ", "x@y", "=", "binary"),
    ];

    /// <summary>What information_schema.TRIGGERS.ACTION_STATEMENT holds: the text after FOR EACH ROW [PRECEDES …].</summary>
    private static string ActionStatement(string createTrigger) => createTrigger[createTrigger.IndexOf(" BEGIN /* ", StringComparison.Ordinal)..].TrimStart();

    [Theory]
    [InlineData("orders")]
    [InlineData("t */ moving: QQ== */ ünï")]
    [InlineData("gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    public void Carried_from_each_guard_returns_every_definition_exactly(string table)
    {
        var guards = MySqlCutOverGuards.Create(new TableName("shop's db", table), Hostile);

        Assert.Equal(3, guards.Count);
        Assert.All(guards, g => Assert.Equal(Hostile, MySqlCutOverGuards.Carried(ActionStatement(g.Sql))));
    }

    [Fact]
    public void Carried_with_no_moved_triggers_is_empty_not_missing()
    {
        var guard = MySqlCutOverGuards.Create(new TableName("s", "t"), [])[0];

        Assert.Empty(MySqlCutOverGuards.Carried(ActionStatement(guard.Sql))!);
    }

    [Fact]
    public void Carried_from_a_body_without_a_payload_is_null()
    {
        Assert.Null(MySqlCutOverGuards.Carried("BEGIN /* shadowcopy:capture of s.t */ INSERT INTO log VALUES (NEW.id); END"));
    }

    [Fact]
    public void Create_puts_the_insert_guard_before_the_first_moved_before_insert_trigger()
    {
        var insert = MySqlCutOverGuards.Create(new TableName("s", "t"), Hostile)[0].Sql;

        Assert.Contains($"BEFORE INSERT ON `s`.`t` FOR EACH ROW PRECEDES `{LongName}` BEGIN", insert, StringComparison.Ordinal);
    }
}
