using ShadowCopy.IntegrationTests.MySql;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// Issue #14, point 3 — MariaDB. For every family of type pairs (and one seeded random mix) and both
/// capture modes: a real ShadowCopy run with random DML in the copy, catch-up and postponed-cut-over
/// windows must produce exactly what the server's own ALTER … ALGORITHM=COPY produces from a control
/// copy that received the same DML (<see cref="DifferentialCase"/>, <see cref="DiffVerdict"/>).
/// Replay a failure with the SHADOWCOPY_DIFF_SEED it prints; SHADOWCOPY_SOAK=1 (with
/// SHADOWCOPY_SOAK_ROUNDS, default 5) runs a longer soak of the same cases; docs/testing.md.
/// </summary>
[Collection("mysql")]
public sealed class MyDifferentialTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases() => DiffCases.Theory(MyTypeMatrix.Families, "binlog", "trigger");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Alter_with_dml_in_copy_catch_up_and_postponed_windows_equals_the_servers_own_alter(string family, string mode) =>
        await DiffCases.RunAsync("mysql", family, mode, MyTypeMatrix.Families, MyTypeMatrix.Mixable, [], () => new MyDiffDatabase(), output);

    [Fact]
    public void Matrix_pair_ids_are_unique_column_names() => DiffCases.AssertUsableIds(MyTypeMatrix.Families, 64);
}
