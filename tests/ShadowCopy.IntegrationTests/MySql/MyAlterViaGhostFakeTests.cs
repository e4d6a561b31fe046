using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// gh-ost cannot be installed here, so these drive the orchestration against a fake gh-ost (a
/// shell script on PATH) that does what gh-ost does from the outside: creates _t_gho and _t_ghc,
/// fills _t_gho, says "postponing cut-over" and waits while the flag file exists, then swaps
/// (t → _t_del, _t_gho → t). They prove our side — flag file, verification before the flag is
/// removed, cleanup — not gh-ost itself.
/// </summary>
[Collection("mysql")]
public sealed class MyAlterViaGhostFakeTests
{
    private const string FakeGhost = """
        #!/bin/bash
        for a in "$@"; do
          case "$a" in
            --host=*) H="${a#*=}";; --port=*) P="${a#*=}";; --user=*) U="${a#*=}";; --database=*) D="${a#*=}";;
            --table=*) T="${a#*=}";; --alter=*) A="${a#*=}";; --conf=*) C="${a#*=}";;
            --postpone-cut-over-flag-file=*) F="${a#*=}";; --execute) X=1;;
          esac
        done
        printf '%s\n' "$@" > "$(dirname "$0")/args"
        m() { mariadb --defaults-extra-file="$C" -h "$H" -P "$P" -u "$U" "$D" -e "$1"; }
        m "CREATE TABLE \`_${T}_ghc\` (id INT PRIMARY KEY); CREATE TABLE \`_${T}_gho\` LIKE \`$T\`; ALTER TABLE \`_${T}_gho\` $A" || exit 1
        if [ -z "$X" ]; then m "DROP TABLE \`_${T}_gho\`, \`_${T}_ghc\`"; echo "noop: dry run"; exit 0; fi
        m "INSERT INTO \`_${T}_gho\` (id, n) SELECT id, n FROM \`$T\` WHERE id <> ${FAKE_GHOST_SKIP_ID:-0}" || exit 1
        echo "Copy: 2000/2000 100.0%; Applied: 0; Backlog: 0/1000; State: postponing cut-over; ETA: due"
        while [ -e "$F" ]; do sleep 0.1; done
        echo "flag removed: cutting over"
        m "RENAME TABLE \`$T\` TO \`_${T}_del\`, \`_${T}_gho\` TO \`$T\`; DROP TABLE \`_${T}_ghc\`" || exit 1
        """;

    [Fact]
    public async Task AlterViaGhost_FakeTool_VerifiesBeforeReleasingTheFlagAndTheToolSwaps()
    {
        var name = UniqueName("viagh");
        using var cli = new MyViaToolCli();
        cli.AddTool("gh-ost", FakeGhost);
        try
        {
            await CreateAsync(name);
            var (exit, stdout, stderr) = await cli.RunAsync(false, null, "alter", "--via", "gh-ost", "--dsn", Dsn, "--table", name, "--alter", "ADD COLUMN note VARCHAR(10) DEFAULT 'x'", "--execute");
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
            Assert.Contains("not re-verified", stdout + stderr, StringComparison.Ordinal); // the one gap of ADR 0019, said up front
            var verified = stdout.IndexOf("verification passed: ", StringComparison.Ordinal);
            var released = stdout.IndexOf("removing the postpone flag", StringComparison.Ordinal);
            var swapped = stdout.IndexOf("gh-ost| flag removed: cutting over", StringComparison.Ordinal);
            Assert.True(verified > 0 && released > verified && swapped > released, stdout);
            Assert.Equal("x", await ScalarAsync($"SELECT note FROM {Q(Database)}.{Q(name)} WHERE id = 1"));
            Assert.Equal(new[] { $"_{name}_del", name }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));

            var arguments = cli.RecordedArguments();
            Assert.Contains("--execute", arguments);
            var flag = Assert.Single(arguments, a => a.StartsWith("--postpone-cut-over-flag-file=", StringComparison.Ordinal));
            var conf = Assert.Single(arguments, a => a.StartsWith("--conf=", StringComparison.Ordinal));
            Assert.False(File.Exists(flag["--postpone-cut-over-flag-file=".Length..]));
            Assert.False(File.Exists(conf["--conf=".Length..]), "the option file with the password was left behind");
            Assert.DoesNotContain(arguments, a => a.Contains(TestServers.Get("SHADOWCOPY_MY_PASSWORD"), StringComparison.Ordinal));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>A tool whose copy is wrong never gets to cut over: verification fails, the tool is stopped, its tables dropped.</summary>
    [Fact]
    public async Task AlterViaGhost_FakeToolCopiesWrongly_VerificationFailsAndNothingIsSwapped()
    {
        var name = UniqueName("viaghbad");
        using var cli = new MyViaToolCli();
        cli.AddTool("gh-ost", FakeGhost);
        try
        {
            await CreateAsync(name);
            var before = await SnapshotAsync(name);
            var (exit, stdout, stderr) = await cli.RunAsync(false, new Dictionary<string, string> { ["FAKE_GHOST_SKIP_ID"] = "7" },
                "alter", "--via", "gh-ost", "--dsn", Dsn, "--table", name, "--alter", "ADD COLUMN note VARCHAR(10)", "--execute");
            Assert.True(exit == ExitCodes.VerificationFailed, $"exit {exit}\n{stdout}\n{stderr}");
            Assert.DoesNotContain("removing the postpone flag", stdout, StringComparison.Ordinal);
            Assert.Contains("removed gh-ost's objects left by the stopped run", stdout, StringComparison.Ordinal);
            Assert.Equal(before, await SnapshotAsync(name));
            Assert.Equal([name], await ObjectsAsync(name));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    private static async Task CreateAsync(string name)
    {
        await ExecAsync($"CREATE TABLE {Q(Database)}.{Q(name)} (id INT NOT NULL PRIMARY KEY, n INT NULL) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {Q(Database)}.{Q(name)} (id, n) SELECT seq, seq * 3 FROM seq_1_to_2000");
    }
}
