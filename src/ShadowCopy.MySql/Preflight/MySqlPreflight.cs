using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Preflight;

/// <summary>Read-only checks of the live table and server; each refusal says how to fix it.</summary>
internal static class MySqlPreflight
{
    private static readonly string[] ReplicationPrivileges = ["REPLICATION SLAVE", "REPLICATION CLIENT"];

    public static async Task<(long Rows, long Bytes)> CheckTableAsync(MySqlSession session, TableName table, CancellationToken cancellationToken)
    {
        var found = await MySqlInspector.FindAsync(session, table.Schema, table.Name, cancellationToken).ConfigureAwait(false);
        if (found.CaseVariants.Count > 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.NameConflict,
                $"{table.Schema} holds tables whose names differ from {table.Name} only by letter case ({string.Join(", ", found.CaseVariants)}); the helper tables and the swap would be ambiguous where names are case-insensitive. Rename one of them first.");
        }

        if (!found.Exists)
        {
            throw new PreflightRefusedException(RefusalReason.TableMissing, $"Table {table} does not exist (table names are case-sensitive on this server).");
        }

        if (!found.Engine.Equals("InnoDB", StringComparison.OrdinalIgnoreCase))
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"{table} uses the {found.Engine} engine; online ALTER needs InnoDB (row locks and consistent snapshots).");
        }

        if (found.Partitioned)
        {
            throw new PreflightRefusedException(RefusalReason.PartitionedTable, $"{table} is partitioned; shadowcopy does not rewrite partitioned tables (its shadow and swap cover one unpartitioned table). Alter it with the server's own ALTER TABLE, or rebuild the partitions one at a time (ALTER TABLE … REBUILD PARTITION). Nothing was changed.");
        }

        return (found.Rows, found.Bytes);
    }

    public static void CheckKey(MyTable source, TableName table)
    {
        if (source.IdentifyingKey() is not { } key)
        {
            throw new PreflightRefusedException(
                RefusalReason.NoUsableKey,
                $"{table} has neither a PRIMARY KEY without prefix parts nor a UNIQUE key over NOT NULL columns without them; rows could not be identified while copying and applying changes. Add one first.");
        }

        // A SET orders by its bit value, which no literal range over its text follows (and no IN list of
        // up to 2^64 members could spell): refused rather than chunked in the wrong order.
        if (key.Columns.Select(source.Column).FirstOrDefault(c => c?.DataType == "set") is { } set)
        {
            throw new PreflightRefusedException(
                RefusalReason.NoUsableKey,
                $"{table}'s key {key.Name} contains the SET column {set.Name}, whose index order cannot be followed in key ranges. Make another unique NOT NULL key without SET columns the primary key first.");
        }
    }

    /// <summary>
    /// Refuses an ALTER that changes how the key orders rows: a key column's collation (or character
    /// set), text into non-text, an ENUM's labels, or a type of another family. The chunks are ranges
    /// of the original's key order that verification and re-copy read from the new table too, so the
    /// two tables must order keys alike. Widening within a family (INT to BIGINT, VARCHAR(20) to
    /// VARCHAR(40) in the same collation, DATETIME to DATETIME(6)) keeps the order.
    /// </summary>
    public static void CheckKeyOrder(MyMapping mapping, TableName table)
    {
        foreach (var key in mapping.Key)
        {
            var (source, shadow) = (key.Source, key.Shadow);
            var same = source.IsText || shadow.IsText
                ? source.IsText && shadow.IsText && string.Equals(source.Collation, shadow.Collation, StringComparison.OrdinalIgnoreCase)
                : source.DataType == shadow.DataType || (Family(source.DataType) is { } family && family == Family(shadow.DataType));
            if ((source.DataType == "enum" || shadow.DataType == "enum") && !string.Equals(source.ColumnType, shadow.ColumnType, StringComparison.Ordinal))
            {
                same = false;
            }
            if (!same)
            {
                throw new PreflightRefusedException(
                    RefusalReason.KeyNotMappable,
                    $"The ALTER changes key column {source.Name} of {table} from {source.ColumnType}{(source.Collation is null ? string.Empty : " " + source.Collation)} to {shadow.ColumnType}{(shadow.Collation is null ? string.Empty : " " + shadow.Collation)}, which orders keys differently; chunks of the original would not be ranges of the new table. Change that column in a separate, blocking ALTER, or make another unique NOT NULL key that the ALTER leaves alone the primary key first.");
            }
        }

        static string? Family(string type) => type switch
        {
            "tinyint" or "smallint" or "mediumint" or "int" or "integer" or "bigint" or "decimal" or "numeric" or "float" or "double" => "number",
            "binary" or "varbinary" => "bytes",
            _ => null,
        };
    }

    /// <summary>
    /// Refuses an ALTER whose new table would not be InnoDB (ENGINE=MyISAM, Aria…): the copy, the
    /// applier and the swap rely on transactions and row locks on both tables. Read from the rehearsal's
    /// SHOW CREATE TABLE, so every spelling of the option (and the server's default engine) counts.
    /// </summary>
    public static void CheckShadowEngine(string showCreateTable, TableName table)
    {
        var match = System.Text.RegularExpressions.Regex.Match(showCreateTable, @"\) ENGINE=(\w+)", System.Text.RegularExpressions.RegexOptions.RightToLeft | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        if (match.Success && !match.Groups[1].Value.Equals("InnoDB", StringComparison.OrdinalIgnoreCase))
        {
            throw new PreflightRefusedException(
                RefusalReason.UnsupportedTable,
                $"The ALTER makes {table} a {match.Groups[1].Value} table; an online ALTER copies into and swaps InnoDB tables only (it needs transactions and row locks on both). Change the engine with the server's own ALTER TABLE. Nothing was changed.");
        }
    }

    /// <summary>alter --via: refuses foreign keys unless allowed; returns a warning for each allowed one (the other tool's swap does not move them).</summary>
    public static IReadOnlyList<string> CheckForeignKeys(IReadOnlyList<MyForeignKey> keys, TableName table, bool allowed)
    {
        if (keys.Count > 0 && !allowed)
        {
            throw new PreflightRefusedException(
                RefusalReason.ForeignKeys,
                $"{table} takes part in foreign keys: {string.Join(", ", keys.Select(k => k.Describe()))}. With --via the other tool's swap leaves child tables referencing the old table and does not carry the table's own keys. Run without --via (keys are carried; --repoint-foreign-keys moves the children's), drop them first, or pass --allow-foreign-keys if you accept that.");
        }

        // CREATE TABLE … LIKE does not copy foreign keys, and InnoDB moves child references with the
        // renamed parent: after the swap none of these constraints applies to the new table.
        return keys.Select(k => $"foreign key {k.Describe()} will not apply to the new table; re-create it after the run").ToList();
    }

    /// <summary>
    /// Trigger capture copies and re-applies under READ COMMITTED without locks (ADR 0020). With the
    /// binary log on in STATEMENT format the server refuses such writes (error 1665), so the session
    /// is switched to ROW format where the user may, and the run is refused before anything is created
    /// where not.
    /// </summary>
    public static async Task CheckTriggerCaptureAsync(MySqlSession session, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync("SELECT @@GLOBAL.log_bin, @@SESSION.binlog_format", cancellationToken).ConfigureAwait(false);
        var row = rows.Rows[0];
        if (row.GetString(0) is not ("1" or "ON") || !string.Equals(row.GetString(1), "STATEMENT", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        try
        {
            await session.ExecuteAsync("SET SESSION binlog_format = 'ROW'", cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlServerException error)
        {
            throw new PreflightRefusedException(
                RefusalReason.CaptureUnavailable,
                $"The binary log is in STATEMENT format, and trigger capture copies without locks, which the server allows only in ROW or MIXED format; this user may not switch its session ({error.Message}). Set binlog_format=ROW or MIXED on the server, or grant the privilege to set it per session.",
                error);
        }
    }

    /// <summary>Binlog capture reads row events: log_bin on, ROW format with FULL images, and replication grants.</summary>
    public static async Task CheckBinlogAsync(MySqlSession session, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync("SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image", cancellationToken).ConfigureAwait(false);
        var row = rows.Rows[0];
        CheckBinlogSettings(row.GetString(0), row.GetString(1), row.GetString(2));

        // Only the variables this server has come back (MySQL 8 and MariaDB each lack some of them).
        var features = await session.QueryAsync(
            "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('binlog_row_value_options', 'log_bin_compress', 'gtid_mode')",
            cancellationToken).ConfigureAwait(false);
        CheckBinlogFeatures(features.Rows.ToDictionary(r => r.GetString(0), r => r.IsNull(1) ? string.Empty : r.GetString(1), StringComparer.OrdinalIgnoreCase));
        var grants = await session.QueryAsync("SHOW GRANTS", cancellationToken).ConfigureAwait(false);
        CheckReplicationGrants(grants.Rows.Select(r => r.GetString(0)).ToList());
    }

    internal static void CheckBinlogSettings(string logBin, string format, string rowImage)
    {
        if (logBin is not ("1" or "ON"))
        {
            throw new PreflightRefusedException(RefusalReason.CaptureUnavailable, "The binary log is off (log_bin); --capture binlog needs it. Start the server with log_bin and binlog_format=ROW, or use --capture trigger.");
        }

        if (!format.Equals("ROW", StringComparison.OrdinalIgnoreCase))
        {
            throw new PreflightRefusedException(RefusalReason.CaptureUnavailable, $"binlog_format is {format}; --capture binlog needs ROW. Run SET GLOBAL binlog_format = 'ROW' (and in the config file), or use --capture trigger.");
        }

        if (!rowImage.Equals("FULL", StringComparison.OrdinalIgnoreCase))
        {
            throw new PreflightRefusedException(RefusalReason.CaptureUnavailable, $"binlog_row_image is {rowImage}; --capture binlog needs FULL images. Run SET GLOBAL binlog_row_image = 'FULL' (and in the config file), or use --capture trigger.");
        }
    }

    /// <summary>
    /// Binlog contents the stream cannot turn into row images, refused before anything is created (the
    /// reader would otherwise stop mid-run at the first such event): MySQL 8.0.3+ partial JSON updates (the
    /// after image is a diff), MariaDB compressed events. (MySQL 8.0.20+ compressed transaction payloads,
    /// binlog_transaction_compression=ON, are decoded: TransactionPayloadEvent.)
    /// and a MySQL gtid_mode in transition, where the binlog mixes anonymous and GTID transactions and a
    /// recorded GTID position does not mean what it says (MySQL manual, "Changing GTID Mode on Online Servers").
    /// </summary>
    internal static void CheckBinlogFeatures(IReadOnlyDictionary<string, string> variables)
    {
        string Value(string name) => variables.TryGetValue(name, out var value) ? value : string.Empty;
        bool On(string name) => Value(name) is "1" || Value(name).Equals("ON", StringComparison.OrdinalIgnoreCase);
        if (Value("binlog_row_value_options").Contains("PARTIAL_JSON", StringComparison.OrdinalIgnoreCase))
        {
            throw new PreflightRefusedException(
                RefusalReason.CaptureUnavailable,
                "binlog_row_value_options is PARTIAL_JSON; --capture binlog needs full JSON after images. Run SET GLOBAL binlog_row_value_options = '' (and in the config file), or use --capture trigger.");
        }

        if (On("log_bin_compress"))
        {
            throw new PreflightRefusedException(
                RefusalReason.CaptureUnavailable,
                "log_bin_compress is ON; --capture binlog cannot read MariaDB's compressed binlog events. Run SET GLOBAL log_bin_compress = OFF (and in the config file), or use --capture trigger.");
        }

        if (Value("gtid_mode") is var gtid && gtid.EndsWith("_PERMISSIVE", StringComparison.OrdinalIgnoreCase))
        {
            throw new PreflightRefusedException(
                RefusalReason.CaptureUnavailable,
                $"gtid_mode is {gtid}: the server is between GTID modes and its binlog mixes anonymous and GTID transactions. Finish the change (gtid_mode ON or OFF on every server) first, or use --capture trigger.");
        }
    }

    /// <summary>
    /// A resumed binlog capture restarts at the checkpoint's file and offset, which only mean the same
    /// events on the same binlog history. The checkpoint also recorded the server's GTID state: when the
    /// server's history no longer contains it (RESET MASTER, a restored or failed-over server, gtid_mode
    /// switched off since), the position may point into other events, and the resume is refused.
    /// </summary>
    public static async Task CheckResumeGtidAsync(MySqlSession session, string? recorded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (string.IsNullOrWhiteSpace(recorded))
        {
            return;
        }

        if (session.IsMariaDb)
        {
            var current = await session.ScalarStringAsync("SELECT @@GLOBAL.gtid_binlog_pos", cancellationToken).ConfigureAwait(false);
            CheckMariaDbGtidHistory(recorded, current ?? string.Empty);
            return;
        }

        var rows = await session.QueryAsync(
            $"SELECT @@GLOBAL.gtid_mode, GTID_SUBSET({session.Literal(recorded)}, @@GLOBAL.gtid_executed)", cancellationToken).ConfigureAwait(false);
        var mode = rows.Rows[0].GetString(0);
        if (mode.Equals("OFF", StringComparison.OrdinalIgnoreCase) || rows.Rows[0].GetInt64(1) != 1)
        {
            throw GtidMismatch($"the checkpoint recorded GTIDs {recorded}, but the server (gtid_mode {mode}) has not executed them all");
        }
    }

    /// <summary>Every replication domain of <paramref name="recorded"/> must be in <paramref name="current"/> at the same or a later sequence number.</summary>
    internal static void CheckMariaDbGtidHistory(string recorded, string current)
    {
        var now = ParseMariaDbGtids(current);
        foreach (var (domain, sequence) in ParseMariaDbGtids(recorded))
        {
            if (!now.TryGetValue(domain, out var reached) || reached < sequence)
            {
                throw GtidMismatch($"the checkpoint recorded gtid_binlog_pos {recorded}, but the server is at {(current.Length == 0 ? "an empty position" : current)}");
            }
        }
    }

    private static Dictionary<uint, ulong> ParseMariaDbGtids(string text)
    {
        var gtids = new Dictionary<uint, ulong>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('-');
            if (pieces.Length != 3
                || !uint.TryParse(pieces[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var domain)
                || !ulong.TryParse(pieces[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
            {
                throw GtidMismatch($"'{part}' is not a MariaDB GTID");
            }

            gtids[domain] = sequence;
        }

        return gtids;
    }

    private static PreflightRefusedException GtidMismatch(string what) => new(
        RefusalReason.ResumeNotPossible,
        $"Cannot resume: {what} (binlog reset, another server, or a GTID mode change since the checkpoint); its binlog position may name other events. Nothing was changed. Run shadowcopy cleanup and start again.");

    internal static void CheckReplicationGrants(IReadOnlyList<string> grants)
    {
        var global = grants.Where(g => g.Contains(" ON *.* ", StringComparison.OrdinalIgnoreCase)).ToList();
        bool Has(string privilege) => global.Any(g => g.Contains("ALL PRIVILEGES", StringComparison.OrdinalIgnoreCase) || g.Contains(privilege, StringComparison.OrdinalIgnoreCase));
        var missing = ReplicationPrivileges
            .Where(p => !Has(p) && !(p == "REPLICATION CLIENT" && Has("BINLOG MONITOR")) && !(p == "REPLICATION SLAVE" && Has("REPLICATION REPLICA")))
            .ToList();
        if (missing.Count > 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.MissingPrivileges,
                $"--capture binlog reads the replication stream and needs {string.Join(" and ", missing)} ON *.*; grant them (GRANT {string.Join(", ", missing)} ON *.* TO …) or use --capture trigger.");
        }
    }
}
