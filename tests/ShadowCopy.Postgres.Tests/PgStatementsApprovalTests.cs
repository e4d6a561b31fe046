using System.Text;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Capture.Trigger;
using ShadowCopy.Postgres.Copy;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Tests.Fakes;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.Postgres.Tests;

/// <summary>
/// The full SQL text of the copy, capture, apply and checksum statements for two fixed mappings,
/// pinned as approval files (Approvals/*.sql) that were reviewed by eye: quoting of hostile names,
/// parameter numbering, qualified ORDER BY, casts to the key's source type.
/// </summary>
public sealed class PgStatementsApprovalTests
{
    [Fact]
    public void Statements_single_bigint_key_match_approved_sql() =>
        Approval.Verify("single_bigint_key", Transcript(SingleBigintKey()));

    [Fact]
    public void Statements_composite_key_with_hostile_names_and_type_change_match_approved_sql() =>
        Approval.Verify("composite_key_hostile", Transcript(CompositeHostileKey()));

    [Fact]
    public void LogSequence_key_column_named_like_it_gets_a_different_name()
    {
        var mapping = new PgMapping([Map("_shadowcopy_seq", "bigint")], [Map("_shadowcopy_seq", "bigint")], [], [], PgModel.PrimaryKey("t_pkey", 1));
        var statements = new PgStatements(new TableName("public", "t"), HelperObjectNames.For("t", 63), mapping, []);

        Assert.Equal("\"_shadowcopy_seq_\"", statements.LogSequence);
        Assert.StartsWith("CREATE TABLE \"public\".\"_t_log\" (\"_shadowcopy_seq_\" bigint GENERATED ALWAYS", statements.CreateLogTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateTriggerFunction_column_name_containing_the_dollar_tag_gets_another_tag()
    {
        var key = Map("$shadowcopy$", "bigint");
        var statements = new PgStatements(new TableName("public", "t"), HelperObjectNames.For("t", 63), new PgMapping([key], [key], [], [], PgModel.PrimaryKey("t_pkey", 1)), []);

        var sql = statements.CreateTriggerFunction();

        Assert.Contains(" AS $shadowcopy1$", sql, StringComparison.Ordinal);
        Assert.EndsWith("END\n$shadowcopy1$", sql.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Checksums_text_row_hash_hash_the_row_text_with_the_source_cast_to_the_new_types()
    {
        // The fallback before PostgreSQL 14 or for a type without a binary send function (ADR 0015).
        var single = SingleBigintKey(PgRowHash.Text);
        var composite = new PgStatements(
            new TableName("public", "t"),
            HelperObjectNames.For("t", 63),
            new PgMapping([new ColumnMap("id", "id", "integer", "bigint"), Map("v", "text")], [new ColumnMap("id", "id", "integer", "bigint")], [], [], PgModel.PrimaryKey("t_pkey", 1)),
            []);

        Assert.Equal(
            "SELECT count(*), coalesce(sum(pg_catalog.hashtextextended(ROW(n.\"id\", n.\"customer_id\", n.\"email\", n.\"note\")::text, 0)), 0) FROM \"public\".\"_orders_new\" n WHERE (n.\"id\") > ($1::bigint) AND (n.\"id\") <= ($2::bigint)",
            single.ShadowChecksum(true, true));
        Assert.Equal(
            "SELECT count(*), coalesce(sum(pg_catalog.hashtextextended(ROW(s.\"id\"::bigint, s.\"v\")::text, 0)), 0) FROM \"public\".\"t\" s",
            composite.SourceChecksum(false, false));
    }

    internal static PgStatements SingleBigintKey(PgRowHash rowHash = PgRowHash.Binary)
    {
        var id = Map("id", "bigint");
        var mapping = new PgMapping(
            [id, Map("customer_id", "integer"), Map("email", "text"), Map("note", "text")],
            [id],
            ["legacy"],
            ["note2"],
            PgModel.PrimaryKey("orders_pkey", 1));
        return new PgStatements(new TableName("public", "orders"), HelperObjectNames.For("orders", 63), mapping, [["email"]], rowHash);
    }

    internal static PgStatements CompositeHostileKey()
    {
        var region = new ColumnMap("region", "region", "integer", "bigint");
        var weird = Map("we\"ird col", "text");
        var mapping = new PgMapping(
            [region, weird, new ColumnMap("Note", "note text", "text", "text"), new ColumnMap("qty", "qty", "integer", "numeric(12,2)"), Map("select", "date")],
            [region, weird],
            [],
            [],
            PgModel.PrimaryKey("order items pkey", 1, 2));
        var table = new TableName("Sales Data", "Order\"Items");
        return new PgStatements(table, HelperObjectNames.For(table.Name, 63), mapping, [["Note", "select"]], PgRowHash.Binary);
    }

    private static ColumnMap Map(string name, string type) => new(name, name, type, type);

    private static string Transcript(PgStatements s)
    {
        var text = new StringBuilder();
        void Add(string title, string sql) => text.Append("-- ").Append(title).Append('\n').Append(sql.ReplaceLineEndings("\n")).Append(";\n\n");

        Add("CreateLogTable", s.CreateLogTable());
        Add("CreateTriggerFunction", s.CreateTriggerFunction());
        Add("CreateTrigger", s.CreateTrigger());
        Add("DropTrigger(source)", s.DropTrigger(s.Source));
        Add("CopyNextChunk(hasLower: false)", s.CopyNextChunk(false));
        Add("CopyNextChunk(hasLower: true)", s.CopyNextChunk(true));
        Add("CopyNextChunkPlain(hasLower: false, skipPresent: false)", s.CopyNextChunkPlain(false, false));
        Add("CopyNextChunkPlain(hasLower: true, skipPresent: false)", s.CopyNextChunkPlain(true, false));
        Add("CopyNextChunkPlain(hasLower: false, skipPresent: true)", s.CopyNextChunkPlain(false, true));
        Add("CopyNextChunkPlain(hasLower: true, skipPresent: true)", s.CopyNextChunkPlain(true, true));
        foreach (var (lower, upper) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            Add($"CopyRange(hasLower: {lower}, hasUpper: {upper})", s.CopyRange(lower, upper));
            Add($"FirstShadowRow(hasLower: {lower}, hasUpper: {upper})", s.FirstShadowRow(lower, upper));
        }

        Add("CopyRangePlain(hasLower: true, hasUpper: true, skipPresent: false)", s.CopyRangePlain(true, true, false));
        Add("CopyRangePlain(hasLower: true, hasUpper: true, skipPresent: true)", s.CopyRangePlain(true, true, true));
        Add("CopyRangePlain(hasLower: false, hasUpper: true, skipPresent: true)", s.CopyRangePlain(false, true, true));

        Add("DeleteShadowRange(hasLower: true, hasUpper: true)", s.DeleteShadowRange(true, true));
        Add("CreateBatchTable", s.CreateBatchTable());
        Add("TakeBatch", s.TakeBatch());
        Add("DeleteBatchFromShadow", s.DeleteBatchFromShadow());
        foreach (var collision in s.DeleteUniqueCollisions())
        {
            Add("DeleteUniqueCollisions", collision);
        }

        Add("InsertBatchIntoShadow", s.InsertBatchIntoShadow());
        Add("Backlog", s.Backlog());
        foreach (var (lower, upper) in new[] { (false, false), (true, true) })
        {
            Add($"SourceChecksum(hasLower: {lower}, hasUpper: {upper})", s.SourceChecksum(lower, upper));
            Add($"ShadowChecksum(hasLower: {lower}, hasUpper: {upper})", s.ShadowChecksum(lower, upper));
        }

        return text.ToString();
    }
}
