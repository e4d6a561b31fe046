using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.State;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.State;

/// <summary>
/// The one row of the run's checkpoint table (<c>_t_state</c>, marked like every helper, dropped by
/// cleanup): what the run is (ALTER, capture mode, fingerprint of the original's schema), how far
/// the copy is (the upper bound of every committed chunk, as exact SQL literals; the last one is
/// the watermark) and, in binlog mode, a binlog position at or before the first change not yet
/// committed in the shadow (docs/adr/0012-mysql-checkpoint.md).
/// </summary>
internal sealed partial record MySqlCheckpoint(
    string Alter,
    CaptureMode Capture,
    string SchemaFingerprint,
    IReadOnlyList<string[]?> ChunkUppers,
    BinlogPosition? Binlog,
    RunProgress Progress)
{
    /// <summary>Every chunk is copied: the last upper bound is open.</summary>
    public bool AllChunksCopied => ChunkUppers.Count > 0 && ChunkUppers[^1] is null;

    public static string CreateTable(string qualified, string comment) =>
        $"CREATE TABLE IF NOT EXISTS {qualified} (id TINYINT NOT NULL PRIMARY KEY, alter_text LONGTEXT NOT NULL, capture_mode VARCHAR(16) NOT NULL, schema_fingerprint CHAR(64) NOT NULL, "
        + "binlog_file VARCHAR(512) NULL, binlog_pos BIGINT NULL, binlog_gtid LONGTEXT NULL, chunk_uppers LONGTEXT NOT NULL, "
        + "phase VARCHAR(32) NOT NULL, rows_copied BIGINT NOT NULL, changes_applied BIGINT NOT NULL, chunks_copied INT NOT NULL, copy_done TINYINT NOT NULL, rows_estimated BIGINT NOT NULL, "
        + $"updated_at TIMESTAMP(6) NOT NULL) ENGINE=InnoDB COMMENT={MySqlEscaping.QuoteString(comment, false)}";

    public async Task SaveAsync(MySqlSession session, string qualified, CancellationToken cancellationToken)
    {
        string N(string? value) => value is null ? "NULL" : session.Literal(value);
        var p = Progress;
        var sql = string.Create(
            CultureInfo.InvariantCulture,
            $"REPLACE INTO {qualified} (id, alter_text, capture_mode, schema_fingerprint, binlog_file, binlog_pos, binlog_gtid, chunk_uppers, phase, rows_copied, changes_applied, chunks_copied, copy_done, rows_estimated, updated_at) VALUES (1, {session.Literal(Alter)}, {session.Literal(Capture.ToString())}, {session.Literal(SchemaFingerprint)}, {N(Binlog?.FileName)}, {(Binlog is null ? "NULL" : Binlog.Position.ToString(CultureInfo.InvariantCulture))}, {N(Binlog?.GtidSet)}, {session.Literal(WriteUppers(ChunkUppers))}, {session.Literal(p.Phase.ToString())}, {p.RowsCopied}, {p.ChangesApplied}, {p.ChunksCopied}, {(p.CopyDone ? 1 : 0)}, {p.RowsEstimated}, UTC_TIMESTAMP(6))");
        await session.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored row, or null when the table or the row is missing.</summary>
    public static async Task<MySqlCheckpoint?> LoadAsync(MySqlSession session, string qualified, CancellationToken cancellationToken)
    {
        MySqlResultSet rows;
        try
        {
            rows = await session.QueryAsync(
                $"SELECT alter_text, capture_mode, schema_fingerprint, binlog_file, binlog_pos, binlog_gtid, chunk_uppers, phase, rows_copied, changes_applied, chunks_copied, copy_done, rows_estimated FROM {qualified} WHERE id = 1",
                cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlServerException error) when (error.ErrorCode == MySqlErrors.NoSuchTable)
        {
            return null;
        }

        if (rows.Rows.Count == 0)
        {
            return null;
        }

        var r = rows.Rows[0];
        return new MySqlCheckpoint(
            r.GetString(0),
            Enum.Parse<CaptureMode>(r.GetString(1)),
            r.GetString(2),
            ReadUppers(r.GetString(6)),
            r.IsNull(3) ? null : new BinlogPosition(r.GetString(3), r.GetInt64(4), r.IsNull(5) ? null : r.GetString(5)),
            new RunProgress
            {
                Phase = Enum.Parse<Phase>(r.GetString(7)),
                RowsCopied = r.GetInt64(8),
                ChangesApplied = r.GetInt64(9),
                ChunksCopied = r.GetInt32(10),
                CopyDone = r.GetInt64(11) != 0,
                RowsEstimated = r.GetInt64(12),
            });
    }

    /// <summary>
    /// SHA-256 of SHOW CREATE TABLE without the AUTO_INCREMENT counter (which moves with every
    /// insert): any change of columns, keys, options or charset of the original changes it.
    /// </summary>
    public static async Task<string> FingerprintAsync(MySqlSession session, string qualifiedTable, CancellationToken cancellationToken)
    {
        var create = await session.QueryAsync($"SHOW CREATE TABLE {qualifiedTable}", cancellationToken).ConfigureAwait(false);
        var text = AutoIncrementOption().Replace(create.Rows[0].GetString(1), string.Empty);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    internal static string WriteUppers(IReadOnlyList<string[]?> uppers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var upper in uppers)
            {
                if (upper is null)
                {
                    writer.WriteNullValue();
                    continue;
                }

                writer.WriteStartArray();
                foreach (var literal in upper)
                {
                    writer.WriteStringValue(literal);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static IReadOnlyList<string[]?> ReadUppers(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.Null ? null : e.EnumerateArray().Select(v => v.GetString()!).ToArray())
            .ToList();
    }

    [GeneratedRegex(@" AUTO_INCREMENT=\d+", RegexOptions.CultureInvariant)]
    private static partial Regex AutoIncrementOption();
}
