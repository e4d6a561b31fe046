using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// Every refusal gives its documented exit code and a message that says what to do, and leaves
/// the database exactly as it was (catalog, rows and sequence positions compared).
/// </summary>
[Collection("postgres")]
public sealed class PgPreflightRefusalTests
{
    private const string Base = """
        CREATE TABLE {t} (id bigserial PRIMARY KEY, email text, n integer NOT NULL DEFAULT 0);
        INSERT INTO {t} (email, n) SELECT 'u' || g, g FROM generate_series(1, 500) g;
        """;

    public static TheoryData<string, string, string, int, string> Cases => new()
    {
        { "table-missing", "", "ADD COLUMN x int", ExitCodes.TableMissing, "does not exist" },
        { "no-usable-key", "CREATE TABLE {t} (id bigint, email text); CREATE INDEX ON {t} (id); INSERT INTO {t} VALUES (1, 'a');", "ADD COLUMN x int", ExitCodes.NoUsableKey, "no primary key" },
        { "nullable-unique-only", "CREATE TABLE {t} (id bigint UNIQUE, email text);", "ADD COLUMN x int", ExitCodes.NoUsableKey, "NOT NULL" },
        { "key-dropped", Base, "DROP COLUMN id", ExitCodes.KeyNotMappable, "survives" },
        { "key-retyped", Base, "ALTER COLUMN id TYPE text", ExitCodes.KeyNotMappable, "survives" },
        { "partitioned", "CREATE TABLE {t} (id bigint PRIMARY KEY) PARTITION BY RANGE (id); CREATE TABLE {s}.part1 PARTITION OF {t} FOR VALUES FROM (0) TO (100);", "ADD COLUMN x int", ExitCodes.PartitionedTable, "partition" },
        { "a-partition", "CREATE TABLE {s}.parent (id bigint PRIMARY KEY) PARTITION BY RANGE (id); CREATE TABLE {t} PARTITION OF {s}.parent FOR VALUES FROM (0) TO (100);", "ALTER COLUMN id SET STATISTICS 100", ExitCodes.PartitionedTable, "partition" },
        // Issue 16, point 4: a key whose collation changes orders rows differently in the new table.
        { "key-recollated", "CREATE TABLE {t} (k text COLLATE \"C\" PRIMARY KEY); INSERT INTO {t} VALUES ('a'), ('B');", "ALTER COLUMN k TYPE text COLLATE \"en-x-icu\"", ExitCodes.KeyNotMappable, "collation" },
        { "leftover-shadow", Base + "CREATE TABLE {s}._subject_new (id int); COMMENT ON TABLE {s}._subject_new IS 'shadowcopy:shadow of x';", "ADD COLUMN x int", ExitCodes.Leftovers, "shadowcopy cleanup" },
        { "leftover-trigger", Base + "CREATE FUNCTION {s}._subject_fn() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$; COMMENT ON FUNCTION {s}._subject_fn() IS 'shadowcopy:capture function'; CREATE TRIGGER _subject_trg AFTER INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION {s}._subject_fn();", "ADD COLUMN x int", ExitCodes.Leftovers, "shadowcopy cleanup" },
        { "old-table-exists", Base + "CREATE TABLE {s}._subject_old (id int);", "ADD COLUMN x int", ExitCodes.NameConflict, "_subject_old" },
        { "foreign-name-conflict", Base + "CREATE TABLE {s}._subject_new (id int);", "ADD COLUMN x int", ExitCodes.NameConflict, "not created by shadowcopy" },
        { "referenced-by-fk", Base + "CREATE TABLE {s}.child (id int PRIMARY KEY, subject_id bigint REFERENCES {t} (id));", "ADD COLUMN x int", ExitCodes.ForeignKeys, "--repoint-foreign-keys" },
        { "dependent-view", Base + "CREATE VIEW {s}.v AS SELECT id FROM {t};", "ADD COLUMN x int", ExitCodes.DependentViews, "Views depend" },
        { "user-trigger-on-dropped-column", Base + "CREATE FUNCTION {s}.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.email := lower(NEW.email); RETURN NEW; END$$; CREATE TRIGGER audit BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION {s}.f();", "DROP COLUMN email", ExitCodes.UnsupportedTable, "Trigger audit" },
        { "schema-publication", Base + "CREATE PUBLICATION {s_raw}_all FOR TABLES IN SCHEMA {s};", "ADD COLUMN x int", ExitCodes.UnsupportedTable, "break the subscribers" },
        { "syntax-error", Base, "ADD COLUMN", ExitCodes.AlterRejected, "rejected" },
        { "renames-table", Base, "RENAME TO other", ExitCodes.AlterRejected, "renames the table" },
        { "two-statements", Base, "ADD COLUMN x int; DROP TABLE y", ExitCodes.AlterRejected, "another statement" },
        // No cast text -> integer: the server refuses on the rehearsal clone. (With USING the server's
        // ALTER succeeds, and so does the copy: PgUsingConversionTests.)
        { "no-cast", Base, "ALTER COLUMN email TYPE integer", ExitCodes.AlterRejected, "rejected" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Alter_Refused_ExitCodeMessageAndDatabaseUnchanged(string name, string setup, string alter, int exitCode, string messagePart)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        if (setup.Length > 0)
        {
            await PgServer.ExecAsync(setup.Replace("{t}", schema.Table("subject"), StringComparison.Ordinal).Replace("{s_raw}", schema.Name, StringComparison.Ordinal).Replace("{s}", schema.Q, StringComparison.Ordinal));
        }

        await using var publications = new AsyncCleanup(() => PgServer.ExecAsync($"DROP PUBLICATION IF EXISTS {schema.Name}_all"));

        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);
        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "subject", alter));
        var after = await PgCatalogSnapshot.TakeAsync(schema.Name);

        Assert.True(result.ExitCode == exitCode, $"{name}: expected exit {exitCode}, got {result.ExitCode}: {result.Message}");
        Assert.Equal("refused", result.Outcome);
        Assert.Contains(messagePart, result.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Alter_RoleNotOwner_RefusedMissingPrivilegesAndUnchanged()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var role = "it_low_" + Guid.NewGuid().ToString("N")[..8];
        const string Password = "it-low-password";
        await PgServer.ExecAsync(Base.Replace("{t}", schema.Table("subject"), StringComparison.Ordinal)
            + $"CREATE ROLE {role} LOGIN PASSWORD '{Password}'; GRANT USAGE, CREATE ON SCHEMA {schema.Q} TO {role}; GRANT SELECT, INSERT ON {schema.Table("subject")} TO {role};");
        try
        {
            var before = await PgCatalogSnapshot.TakeAsync(schema.Name);
            var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "subject", "ADD COLUMN x int"), user: role, password: Password);
            Assert.True(result.ExitCode == ExitCodes.MissingPrivileges, $"got {result.ExitCode}: {result.Message}");
            Assert.Contains("owner", result.Message, StringComparison.Ordinal);
            Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
        }
        finally
        {
            await PgServer.ExecAsync($"DROP SCHEMA {schema.Q} CASCADE; CREATE SCHEMA {schema.Q}; DROP OWNED BY {role}; DROP ROLE {role};");
        }
    }
}
