using ShadowCopy.MySql.State;
using ShadowCopy.MySql.Throttling;

namespace ShadowCopy.MySql.Tests;

public sealed class MySqlRunControlTextTests
{
    [Fact]
    public void Bound_on_MariaDB_wraps_any_statement_in_max_statement_time()
    {
        Assert.Equal("SET STATEMENT max_statement_time = 2 FOR SELECT v FROM t", MySqlServerProbe.Bound("  SELECT v FROM t; ", isMariaDb: true, TimeSpan.FromSeconds(2)));
        Assert.Equal("SET STATEMENT max_statement_time = 0.5 FOR SHOW STATUS", MySqlServerProbe.Bound("SHOW STATUS", isMariaDb: true, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void Bound_on_MySQL_adds_the_execution_time_hint_to_a_select_only()
    {
        Assert.Equal("SELECT /*+ MAX_EXECUTION_TIME(2000) */ v FROM t", MySqlServerProbe.Bound("select v FROM t", isMariaDb: false, TimeSpan.FromSeconds(2)));
        Assert.Equal("SELECTED", MySqlServerProbe.Bound("SELECTED", isMariaDb: false, TimeSpan.FromSeconds(2)));
        Assert.Equal("SHOW STATUS", MySqlServerProbe.Bound("SHOW STATUS", isMariaDb: false, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void ChunkUppers_round_trip_keeps_composite_and_hostile_literals_exactly()
    {
        IReadOnlyList<string[]?> uppers =
        [
            ["1", "_utf8mb4 X'27225C60'"],
            ["-9223372036854775808", "'2024-01-01 00:00:00.000001'"],
            ["X'00FF'", "_utf8mb4 X'E282AC'"],
            null,
        ];
        var json = MySqlCheckpoint.WriteUppers(uppers);
        var back = MySqlCheckpoint.ReadUppers(json);
        Assert.Equal(uppers.Count, back.Count);
        for (var i = 0; i < uppers.Count; i++)
        {
            Assert.Equal(uppers[i], back[i]);
        }
    }

    [Fact]
    public void ChunkUppers_empty_list_round_trips()
    {
        Assert.Empty(MySqlCheckpoint.ReadUppers(MySqlCheckpoint.WriteUppers([])));
    }
}
