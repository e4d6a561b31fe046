using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.State;

namespace ShadowCopy.Postgres.State;

/// <summary>
/// The one row of a run's state table (<see cref="HelperObjectNames.State"/>, ADR 0011): what the
/// run is (ALTER, capture mode, the original's schema fingerprint), how far the copy got (the last
/// key whose chunk is committed in the shadow and every chunk's bounds, for verification), the
/// indexes still to build after the copy, and the engine-neutral <see cref="RunProgress"/>. Keys
/// are stored as their text forms — the same text the copy casts back to the key type — inside a
/// JSON array, so a composite key or any btree type is restored exactly.
/// </summary>
internal sealed record PgCheckpoint(
    string Alter,
    string Capture,
    string Fingerprint,
    string[]? CopyCursor,
    bool BackendCopyDone,
    IReadOnlyList<(string[]? Lower, string[]? Upper)> Chunks,
    IReadOnlyList<string> DeferredIndexes,
    string? CapturePosition,
    RunProgress Progress)
{
    private static readonly PgDialect D = PgDialect.Instance;

    public static string CreateTable(TableName table, HelperObjectNames names) => $"""
        CREATE TABLE IF NOT EXISTS {D.Qualified(table.Schema, names.State)} (
          id integer PRIMARY KEY CHECK (id = 1),
          alter_text text NOT NULL,
          capture text NOT NULL,
          schema_fingerprint text NOT NULL,
          copy_cursor text,
          backend_copy_done boolean NOT NULL,
          chunks text NOT NULL,
          deferred_indexes text NOT NULL,
          capture_position text,
          phase text NOT NULL,
          rows_copied bigint NOT NULL,
          changes_applied bigint NOT NULL,
          chunks_copied integer NOT NULL,
          copy_done boolean NOT NULL,
          rows_estimated bigint NOT NULL,
          updated_at timestamptz NOT NULL)
        """;

    public static string Upsert(TableName table, HelperObjectNames names) => $"""
        INSERT INTO {D.Qualified(table.Schema, names.State)} AS s
          (id, alter_text, capture, schema_fingerprint, copy_cursor, backend_copy_done, chunks, deferred_indexes, capture_position,
           phase, rows_copied, changes_applied, chunks_copied, copy_done, rows_estimated, updated_at)
        VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, pg_catalog.clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET
          alter_text = EXCLUDED.alter_text, capture = EXCLUDED.capture, schema_fingerprint = EXCLUDED.schema_fingerprint,
          copy_cursor = EXCLUDED.copy_cursor, backend_copy_done = EXCLUDED.backend_copy_done, chunks = EXCLUDED.chunks,
          deferred_indexes = EXCLUDED.deferred_indexes, capture_position = EXCLUDED.capture_position, phase = EXCLUDED.phase,
          rows_copied = EXCLUDED.rows_copied, changes_applied = EXCLUDED.changes_applied, chunks_copied = EXCLUDED.chunks_copied,
          copy_done = EXCLUDED.copy_done, rows_estimated = EXCLUDED.rows_estimated, updated_at = EXCLUDED.updated_at
        """;

    public static string Select(TableName table, HelperObjectNames names) => $"""
        SELECT alter_text, capture, schema_fingerprint, copy_cursor, backend_copy_done, chunks, deferred_indexes, capture_position,
               phase, rows_copied, changes_applied, chunks_copied, copy_done, rows_estimated
        FROM {D.Qualified(table.Schema, names.State)} WHERE id = 1
        """;

    /// <summary>
    /// What must not change for a resume to be correct: the original's oid (dropped and re-created is
    /// another table), its live columns by attnum with name, type, nullability and generation, and the
    /// key (primary key and replica identity index columns). Statistics, comments, other indexes may change.
    /// </summary>
    public const string FingerprintSql = """
        SELECT c.oid::text || '|' ||
               coalesce((SELECT pg_catalog.string_agg(a.attnum || ':' || a.attname || ':' || pg_catalog.format_type(a.atttypid, a.atttypmod)
                                                      || ':' || a.attnotnull || ':' || a.attgenerated::text, ',' ORDER BY a.attnum)
                         FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') || '|' ||
               coalesce((SELECT pg_catalog.string_agg(i.indisprimary || ':' || i.indisreplident || ':' || i.indkey::text, ',' ORDER BY i.indexrelid)
                         FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisreplident)), '') || '|' ||
               c.relreplident::text
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2
        """;

    public static async Task<string> FingerprintAsync(PgSession session, TableName table, CancellationToken cancellationToken)
    {
        var text = await session.ScalarAsync<string>(FingerprintSql, [table.Schema, table.Name], cancellationToken).ConfigureAwait(false) ?? string.Empty;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public List<object?> Args() =>
    [
        Alter,
        Capture,
        Fingerprint,
        CopyCursor is null ? null : KeyJson(CopyCursor),
        BackendCopyDone,
        ChunksJson(Chunks),
        StringsJson(DeferredIndexes),
        CapturePosition,
        Progress.Phase.ToString(),
        Progress.RowsCopied,
        Progress.ChangesApplied,
        Progress.ChunksCopied,
        Progress.CopyDone,
        Progress.RowsEstimated,
    ];

    public static PgCheckpoint FromRow(object?[] row) => new(
        (string)row[0]!,
        (string)row[1]!,
        (string)row[2]!,
        row[3] is string cursor ? ParseKeyText(cursor) : null,
        (bool)row[4]!,
        ParseChunks((string)row[5]!),
        ParseStrings((string)row[6]!),
        row[7] as string,
        new RunProgress
        {
            Phase = Enum.TryParse<Phase>((string)row[8]!, out var phase) ? phase : Phase.Copying,
            RowsCopied = (long)row[9]!,
            ChangesApplied = (long)row[10]!,
            ChunksCopied = (int)row[11]!,
            CopyDone = (bool)row[12]!,
            RowsEstimated = (long)row[13]!,
        });

    private static string KeyJson(string[] key) => Write(w => WriteKey(w, key));

    private static string StringsJson(IReadOnlyList<string> values) => Write(w => WriteKey(w, values));

    private static string ChunksJson(IReadOnlyList<(string[]? Lower, string[]? Upper)> chunks) => Write(w =>
    {
        w.WriteStartArray();
        foreach (var (lower, upper) in chunks)
        {
            w.WriteStartArray();
            WriteKey(w, lower);
            WriteKey(w, upper);
            w.WriteEndArray();
        }

        w.WriteEndArray();
    });

    private static void WriteKey(Utf8JsonWriter writer, IReadOnlyList<string>? key)
    {
        if (key is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var part in key)
        {
            writer.WriteStringValue(part);
        }

        writer.WriteEndArray();
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            body(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string[]? ParseKey(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : [.. element.EnumerateArray().Select(e => e.GetString()!)];

    private static string[]? ParseKeyText(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ParseKey(document.RootElement);
    }

    private static List<(string[]?, string[]?)> ParseChunks(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(c => (ParseKey(c[0]), ParseKey(c[1])))];
    }

    private static List<string> ParseStrings(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetString()!)];
    }
}
