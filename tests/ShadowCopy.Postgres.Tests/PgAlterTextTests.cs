using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Tests;

public sealed class PgAlterTextTests
{
    private static readonly Dictionary<string, string> Constraints = new(StringComparer.Ordinal)
    {
        ["orders_pkey"] = "_orders_pkey_new",
        ["Orders Key"] = "_Orders Key_new",
        ["Äpfel_pkey"] = "_Äpfel_pkey_new",
    };

    private static readonly Dictionary<string, string> Indexes = new(StringComparer.Ordinal)
    {
        ["orders_email_idx"] = "_orders_email_idx_new",
    };

    [Theory]
    [InlineData("ADD COLUMN note text", "ADD COLUMN note text")]
    [InlineData("  ADD COLUMN note text;  ", "ADD COLUMN note text")]
    [InlineData("ADD COLUMN note text;;", "ADD COLUMN note text")]
    [InlineData("RENAME COLUMN a TO b", "RENAME COLUMN a TO b")]
    [InlineData("RENAME a TO b", "RENAME a TO b")]
    [InlineData("RENAME COLUMN rename TO old_rename", "RENAME COLUMN rename TO old_rename")]
    [InlineData("RENAME rename TO old_rename", "RENAME rename TO old_rename")]
    [InlineData("ADD COLUMN set int, ALTER COLUMN set SET STATISTICS 100", "ADD COLUMN set int, ALTER COLUMN set SET STATISTICS 100")]
    [InlineData("ALTER COLUMN n SET DEFAULT 'x; y', ADD COLUMN \"a;b\" int", "ALTER COLUMN n SET DEFAULT 'x; y', ADD COLUMN \"a;b\" int")]
    [InlineData("ADD COLUMN t text DEFAULT $q$it's$q$", "ADD COLUMN t text DEFAULT $q$it's$q$")]
    [InlineData("ADD COLUMN n int -- trailing comment", "ADD COLUMN n int -- trailing comment")]
    public void Validate_clauses_are_accepted_and_trailing_semicolons_dropped(string alter, string expected)
    {
        Assert.Equal(expected, PgAlterText.Validate(alter));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n ", "empty")]
    [InlineData("-- nothing but a comment", "empty")]
    [InlineData("/* just this */", "empty")]
    [InlineData("ALTER TABLE orders ADD COLUMN x int", "not a whole statement")]
    [InlineData("alter /* c */ table orders ADD COLUMN x int", "not a whole statement")]
    [InlineData("RENAME TO orders2", "renames the table")]
    [InlineData("rename  to orders2", "renames the table")]
    [InlineData("SET SCHEMA archive", "another schema")]
    [InlineData("ADD COLUMN x int, SET SCHEMA archive", "another schema")]
    [InlineData("ADD COLUMN x int,RENAME TO y", "renames the table")]
    [InlineData("ADD COLUMN x int; DROP TABLE users", "another statement")]
    [InlineData("ADD COLUMN x int;\nSELECT 1;", "another statement")]
    public void Validate_rejected_clauses_refuse_with_AlterRejected(string alter, string messagePart)
    {
        var refusal = Assert.Throws<PreflightRefusedException>(() => PgAlterText.Validate(alter));

        Assert.Equal(RefusalReason.AlterRejected, refusal.Reason);
        Assert.Equal(ExitCodes.AlterRejected, refusal.ExitCode);
        Assert.Contains(messagePart, refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ADD COLUMN t text DEFAULT 'abc")]
    [InlineData("ADD COLUMN t text DEFAULT 'it''")]
    [InlineData("ADD COLUMN t text DEFAULT E'abc\\'")]
    [InlineData("ADD COLUMN t text DEFAULT E'abc\\")]
    [InlineData("ADD COLUMN \"x int")]
    [InlineData("ADD COLUMN \"x\"\" int\"\"")]
    [InlineData("ADD COLUMN t text DEFAULT $q$abc")]
    [InlineData("ADD COLUMN t text DEFAULT $q$abc$")]
    [InlineData("ADD COLUMN t text DEFAULT $$")]
    [InlineData("ADD COLUMN n int /* open comment")]
    [InlineData("ADD COLUMN n int /* nested /* still open */")]
    [InlineData("ADD COLUMN t text DEFAULT '")]
    public void Validate_unterminated_quote_or_comment_refuses(string alter)
    {
        var refusal = Assert.Throws<PreflightRefusedException>(() => PgAlterText.Validate(alter));

        Assert.Equal(RefusalReason.AlterRejected, refusal.Reason);
        Assert.Contains("unterminated", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DROP CONSTRAINT orders_pkey", "DROP CONSTRAINT \"_orders_pkey_new\"")]
    [InlineData("DROP CONSTRAINT IF EXISTS orders_pkey, ADD PRIMARY KEY (id, n)", "DROP CONSTRAINT IF EXISTS \"_orders_pkey_new\", ADD PRIMARY KEY (id, n)")]
    [InlineData("drop constraint ORDERS_PKEY", "drop constraint \"_orders_pkey_new\"")]
    [InlineData("DROP CONSTRAINT \"orders_pkey\"", "DROP CONSTRAINT \"_orders_pkey_new\"")]
    [InlineData("DROP CONSTRAINT \"Orders Key\"", "DROP CONSTRAINT \"_Orders Key_new\"")]
    [InlineData("DROP CONSTRAINT ÄPFEL_PKEY", "DROP CONSTRAINT \"_Äpfel_pkey_new\"")]
    [InlineData("ADD CONSTRAINT u UNIQUE USING INDEX orders_email_idx", "ADD CONSTRAINT u UNIQUE USING INDEX \"_orders_email_idx_new\"")]
    [InlineData("REPLICA IDENTITY USING INDEX /* why */ orders_email_idx", "REPLICA IDENTITY USING INDEX /* why */ \"_orders_email_idx_new\"")]
    [InlineData("DROP CONSTRAINT\n  orders_pkey -- the old key\n, ADD PRIMARY KEY (id)", "DROP CONSTRAINT\n  \"_orders_pkey_new\" -- the old key\n, ADD PRIMARY KEY (id)")]
    public void MapNames_constraint_and_index_names_are_rewritten_to_temp_names(string alter, string expected)
    {
        Assert.Equal(expected, PgAlterText.MapNames(alter, Constraints, Indexes));
    }

    [Theory]
    [InlineData("DROP CONSTRAINT \"ORDERS_PKEY\"")]
    [InlineData("DROP CONSTRAINT orders_check")]
    [InlineData("DROP CONSTRAINT orders_email_idx")]
    [InlineData("ADD COLUMN note text DEFAULT 'CONSTRAINT orders_pkey'")]
    [InlineData("ADD COLUMN note text /* CONSTRAINT orders_pkey */")]
    [InlineData("ADD COLUMN note text -- DROP CONSTRAINT orders_pkey")]
    [InlineData("ADD COLUMN \"constraint\" text, ADD COLUMN orders_pkey int")]
    [InlineData("ADD COLUMN t text DEFAULT $x$ USING INDEX orders_email_idx $x$")]
    [InlineData("ALTER COLUMN orders_pkey TYPE bigint")]
    public void MapNames_names_in_strings_comments_or_other_positions_are_untouched(string alter)
    {
        Assert.Equal(alter, PgAlterText.MapNames(alter, Constraints, Indexes));
    }

    [Fact]
    public void UsingExpressions_by_column_for_each_retype_clause_with_using()
    {
        var found = PgAlterText.UsingExpressions(
            "ALTER COLUMN a TYPE bigint USING (a * 2), ALTER b SET DATA TYPE numeric(10, 2) USING round(b, 2), "
            + "ALTER COLUMN \"Mixed, Name\" TYPE text USING coalesce(\"Mixed, Name\"::text, 'x, y'), ALTER COLUMN c TYPE int, "
            + "ADD CONSTRAINT e EXCLUDE USING gist (r WITH &&), ALTER COLUMN D TYPE date USING d::date -- comment");

        Assert.Equal(4, found.Count);
        Assert.Equal("(a * 2)", found["a"]);
        Assert.Equal("round(b, 2)", found["b"]);
        Assert.Equal("coalesce(\"Mixed, Name\"::text, 'x, y')", found["Mixed, Name"]);
        Assert.Equal("d::date", found["d"]);
    }

    [Theory]
    [InlineData("ADD COLUMN using_x int")]
    [InlineData("ALTER COLUMN a SET DEFAULT 1")]
    [InlineData("ALTER COLUMN a TYPE text COLLATE \"C\"")]
    [InlineData("ADD CONSTRAINT u UNIQUE USING INDEX i")]
    public void UsingExpressions_none_without_a_retype_using_clause(string alter)
    {
        Assert.Empty(PgAlterText.UsingExpressions(alter));
    }
}
