using Npgsql;
using ShadowCopy.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// Issue #14, point 3 — PostgreSQL. For every family of type pairs (and one seeded random mix) and
/// both capture modes (trigger, logical): a real ShadowCopy run with random DML in the copy,
/// catch-up and postponed-cut-over windows must produce exactly what the server's own ALTER TABLE
/// produces from a control copy that received the same DML. Replay with SHADOWCOPY_DIFF_SEED;
/// SHADOWCOPY_SOAK=1 runs a longer soak; docs/testing.md.
/// </summary>
[Collection("postgres")]
public sealed class PgDifferentialTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases() => DiffCases.Theory(PgTypeMatrix.Families(citext: true), "trigger", "logical");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Alter_with_dml_in_copy_catch_up_and_postponed_windows_equals_the_servers_own_alter(string family, string mode) =>
        await DiffCases.RunAsync("postgres", family, mode, PgTypeMatrix.Families(await CitextAvailableAsync()), PgTypeMatrix.Mixable, PgTypeMatrix.MixedPrelude, () => new PgDiffDatabase(), output);

    [Fact]
    public void Matrix_pair_ids_are_unique_column_names() => DiffCases.AssertUsableIds(PgTypeMatrix.Families(citext: true), 63);

    /// <summary>citext ships with postgresql-contrib (part of Debian's postgresql-15); without it those pairs are left out and the output says so.</summary>
    private static async Task<bool> CitextAvailableAsync()
    {
        try
        {
            await PgServer.ExecAsync("CREATE EXTENSION IF NOT EXISTS citext");
            return true;
        }
        catch (PostgresException)
        {
            return false;
        }
    }
}
