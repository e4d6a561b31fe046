using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.State;
using ShadowCopy.Core.Throttling;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// MySQL/MariaDB online ALTER. The shadow is <c>CREATE TABLE … LIKE</c> plus the user's ALTER
/// (rehearsed first on a temporary table, so refusals touch nothing); the copy walks the key in
/// ranges; changes arrive by binlog row events (<see cref="CaptureMode.Binlog"/>) or by AFTER
/// triggers (<see cref="CaptureMode.Trigger"/>); chunks are verified by checksum in one consistent
/// snapshot; the cut-over swaps names atomically (docs/cut-over.md). A run checkpoints into
/// <c>_t_state</c> and can be resumed from it (<see cref="IResumableBackend"/>); throttle figures
/// are read on connections of their own (<see cref="IServerProbe"/>, <see cref="MySqlServerProbe"/>).
/// </summary>
public sealed partial class MySqlAlterBackend : IAlterBackend, ICaptureStatus, IResumableBackend, IServerProbe, IKeyVerifier, IPacedVerification
{
    private readonly MySqlSettings _settings;
    private readonly AlterOptions _options;
    private readonly ILogger _logger;
    private readonly SqlTranscript _transcript = new();
    private readonly ChunkLedger _ledger = new();
    private readonly List<string> _warnings = [];
    private readonly MySqlBinlogCapture? _binlog;

    private MySqlSession? _main;
    private MySqlSession? _snapshot;
    private MySqlSession? _snapshotTwin;
    private MyTable? _source;
    private MyMapping? _mapping;
    private MySqlStatements? _sql;
    private string? _alter;
    private bool? _hasCrc32C;
    private bool _lockFreeCopy;
    private bool _tombstones;
    private MySqlTriggerCapture? _triggers;
    private IReadOnlyList<(string Name, string Clause)> _deferredIndexes = [];
    private MySqlServerProbe? _probe;
    private MySqlKeyReadProbe? _keyRead;
    private string? _fingerprint;
    private bool _stateTableReady;
    private MySqlCheckpoint? _finishingSwap;
    private IReadOnlyList<MySqlSettings>? _replicas;
    private MySqlKeyVerifier? _keyVerifier;
    private DirtyKeySet? _appliedKeys;
    private MySqlForeignKeys? _foreignKeys;

    public MySqlAlterBackend(MySqlSettings settings, AlterOptions options, CaptureMode capture, ILogger logger)
        : this(settings, options, capture, logger, null)
    {
    }

    /// <summary><paramref name="names"/>: another tool's shadow in place of ours (alter --via, External/).</summary>
    internal MySqlAlterBackend(MySqlSettings settings, AlterOptions options, CaptureMode capture, ILogger logger, HelperObjectNames? names)
    {
        _settings = settings;
        _options = options;
        _logger = logger;
        Capture = capture;

        // A real run of days must not keep every statement (trigger mode: every row as VALUES text).
        _transcript.Enabled = !options.Execute;
        Names = names ?? HelperObjectNames.For(options.Table.Name, MySqlDialect.Instance.MaxIdentifierBytes);
        ExternalTool = names is not null;
        if (capture == CaptureMode.Binlog)
        {
            _binlog = new MySqlBinlogCapture(settings, logger);
        }
    }

    public HelperObjectNames Names { get; }

    /// <summary>alter --via: another tool creates, fills and keeps the shadow in step; we verify and swap.</summary>
    internal bool ExternalTool { get; }

    public CaptureMode Capture { get; }

    public IReadOnlyList<PlannedStatement> ExecutedStatements => _transcript.Snapshot();

    public SqlTranscript Transcript => _transcript;

    /// <summary>Replaces the server-settings probe of the binlog preflight (tests of the refusal without changing globals).</summary>
    internal Func<MySqlSession, CancellationToken, Task>? BinlogCheckOverride { get; init; }

    /// <summary>Replaces the start of a verification snapshot (alter --via gh-ost: a settle pause under LOCK TABLES … READ).</summary>
    internal Func<MySqlSession, CancellationToken, Task>? VerifyPointOverride { get; init; }

    /// <summary>Whether the server reports a consistent snapshot's binlog position (MariaDB); null until first asked.</summary>
    internal bool? SnapshotReportsBinlogPosition { get; set; }

    /// <summary>Test seam: take the verification point under the lock even where the server allows none (MySQL's path on MariaDB).</summary>
    internal bool VerifyWithLockForTests { get; init; }

    /// <summary>Test seam: runs while the cut-over's RENAME waits and before the go token exists (argument: the RENAME's connection id).</summary>
    internal Func<uint, Task>? BeforeGoTokenForTests { get; init; }

    /// <summary>Test seam: runs after the go token exists and before A's UNLOCK, with the RENAME's connection id.</summary>
    internal Func<uint, Task>? AfterGoTokenForTests { get; init; }

    /// <summary>Test seam: runs inside every apply batch and every re-apply after its rows reached the shadow (a deliberately wrong conversion).</summary>
    internal Func<MySqlSession, IReadOnlyList<RowKey>, CancellationToken, Task>? AfterApplyForTests { get; init; }

    private TableName Table => _options.Table;

    private MySqlStatements Sql => _sql ?? throw new InvalidOperationException("shadow not created yet");

    private MySqlSession Main => _main ?? throw new InvalidOperationException("not connected");

    // ---- preflight ----------------------------------------------------------------------------

    public async Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "preflight";
        // Replica DSNs are parsed (and their passwords resolved) up front: a typo is a usage error, not a throttle.
        _replicas = MySqlServerProbe.ParseReplicas(_options.ReplicaDsns);
        _main = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_options.Resume && await FindFinishedSwapAsync(cancellationToken).ConfigureAwait(false) is { } finished)
        {
            // The table now is the new one: no check or rehearsal of the ALTER applies to it any more.
            return finished;
        }

        var (rows, bytes) = await MySqlPreflight.CheckTableAsync(Main, Table, cancellationToken).ConfigureAwait(false);
        _source = await MySqlInspector.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false);
        MySqlPreflight.CheckKey(_source, Table);
        _alter = MySqlAlterText.Validate(_options.Alter);
        if (_options.Resume && (await MySqlObjects.HelperTablesAsync(Main, Table.Schema, [Names.ChangeLog], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(Names.ChangeLog))
        {
            // A run killed inside its cut-over may have left children pointing at our shadow.
            _warnings.AddRange(await MySqlForeignKeys.RepairAsync(Main, Table, Names.Shadow, _options.CutOverLockTimeout, _options.CutOverAttempts, cancellationToken).ConfigureAwait(false));
        }

        var foreignKeys = await MySqlForeignKeys.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false);
        if (_options.Revertible)
        {
            Revert.MySqlReverseCapture.Check(Table, (await MySqlUserTriggers.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false)).Count > 0, foreignKeys.Count > 0);
        }

        if (ExternalTool)
        {
            // alter --via: the other tool's swap does not move keys.
            _warnings.AddRange(MySqlPreflight.CheckForeignKeys(foreignKeys, Table, _options.AllowForeignKeys));
        }
        // Leftovers first: our own triggers from a killed run must read as leftovers, not as the user's.
        // With --resume our leftovers are what the run continues from (ResumeAsync checks them).
        await MySqlObjects.CheckNoLeftoversAsync(Main, Table, Names, _options.Resume, cancellationToken).ConfigureAwait(false);
        // The table's own triggers are carried to the new table (ADR 0027); ours are told apart by their marker.
        await MySqlUserTriggers.CheckAsync(Main, Table, triggerCapture: Capture == CaptureMode.Trigger && !ExternalTool && !_options.Resume, carried: !ExternalTool, cancellationToken).ConfigureAwait(false);
        if (Capture == CaptureMode.Binlog)
        {
            await (BinlogCheckOverride ?? MySqlPreflight.CheckBinlogAsync)(Main, cancellationToken).ConfigureAwait(false);
        }
        else if (!ExternalTool)
        {
            // Our own trigger capture (not another tool's shadow under alter --via).
            await MySqlPreflight.CheckTriggerCaptureAsync(Main, cancellationToken).ConfigureAwait(false);
        }

        // Both capture modes swap with the go token (docs/cut-over.md), so the final changes can be verified under the lock.
        await MySqlObjects.CheckGoTokenNamesAsync(Main, Table, cancellationToken).ConfigureAwait(false);

        // Rehearse on a session-private temporary table (invisible to others, not binlogged in
        // ROW format): the ALTER's errors, the mapping and the key's survival are known before
        // anything is created; the lossy-change probes run against the live data read-only.
        _transcript.Step = "preflight (rehearsal on a temporary table)";
        var rehearsal = MySqlStatements.Q(Table.Schema, Names.Shadow);
        await Main.ExecuteAsync($"CREATE TEMPORARY TABLE {rehearsal} LIKE {MySqlStatements.Q(Table.Schema, Table.Name)}", cancellationToken).ConfigureAwait(false);
        try
        {
            await AlterShadowAsync(cancellationToken).ConfigureAwait(false);
            MySqlPreflight.CheckShadowEngine((await Main.QueryAsync($"SHOW CREATE TABLE {rehearsal}", cancellationToken).ConfigureAwait(false)).Rows[0].GetString(1), Table);
            await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
            // What FinishCopyAsync builds; known from the rehearsal so --resume knows it too.
            _deferredIndexes = await MySqlDeferredIndexes.ReadAsync(Main, rehearsal, cancellationToken).ConfigureAwait(false);
            MySqlUserTriggers.CheckColumns(await MySqlUserTriggers.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false), _mapping!, Table);
            var rehearsed = await MySqlInspector.ReadAsync(Main, Table.Schema, Names.Shadow, cancellationToken).ConfigureAwait(false);
            await MySqlLossyChecks.RunAsync(Main, Table, _source, _mapping!, rehearsed, cancellationToken).ConfigureAwait(false);
            if (!ExternalTool)
            {
                _foreignKeys = await MySqlForeignKeys.PlanAsync(Main, Table, foreignKeys, _source, rehearsed, _mapping!, _options, _warnings, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await Main.ExecuteAsync($"DROP TEMPORARY TABLE IF EXISTS {rehearsal}", CancellationToken.None).ConfigureAwait(false);
        }

        var mapping = _mapping!;
        Log.Rehearsed(_logger, mapping.Copied.Count, mapping.Dropped.Count, mapping.Added.Count);
        return new PreflightReport(rows, bytes, mapping.Key.Select(k => k.SourceName).ToList(), mapping.Copied.Select(c => c.SourceName).ToList(), mapping.Dropped, mapping.Added, _warnings);
    }

    private async Task AlterShadowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Main.ExecuteAsync($"ALTER TABLE {MySqlStatements.Q(Table.Schema, Names.Shadow)} {_alter}", cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlServerException error)
        {
            throw new PreflightRefusedException(RefusalReason.AlterRejected, $"The server rejected the ALTER on the shadow: {MySqlErrors.Describe(error)}. Nothing was changed.", error);
        }
    }

    private async Task PrepareStatementsAsync(CancellationToken cancellationToken)
    {
        var shadow = await MySqlInspector.ReadAsync(Main, Table.Schema, Names.Shadow, cancellationToken).ConfigureAwait(false);
        // Our temporary index over a widened key's old columns (resume) is not the user's.
        shadow = shadow with { Indexes = [.. shadow.Indexes.Where(i => !string.Equals(i.Name, KeyWhileCopying, StringComparison.OrdinalIgnoreCase))] };
        _mapping = MyMapping.Build(_source!, shadow, MySqlAlterText.Renames(_alter!), MySqlAlterText.Recreated(_alter!));
        if (_mapping.Key.Count == 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.KeyNotMappable,
                $"After the ALTER the new table has no unique key that starts with the columns of {Table}'s key ({_mapping.KeyIndex}); rows could not be matched between the tables. Keep the key, widen it by adding columns after the existing ones (PRIMARY KEY (id, other)), or change it in a separate run.");
        }

        MySqlPreflight.CheckKeyOrder(_mapping, Table);
        _sql = new MySqlStatements(Table.Schema, Table.Name, Names, _mapping, _mapping.ShadowKeyIndex!);
        _hasCrc32C ??= await HasFunctionAsync("CRC32C('')", cancellationToken).ConfigureAwait(false);
        _sql.HasCrc32C = _hasCrc32C.Value;
    }

    /// <summary>Whether the server evaluates a built-in function call (an unknown one is error 1305 or a syntax error).</summary>
    private async Task<bool> HasFunctionAsync(string call, CancellationToken cancellationToken)
    {
        try
        {
            await Main.QueryAsync("SELECT " + call, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (MySqlServerException)
        {
            return false;
        }
    }

    // ---- shadow -------------------------------------------------------------------------------

    public async Task CreateShadowAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "create shadow";
        // The state table first: cleanup recognises the shadow as ours by it (MySqlObjects).
        await Main.ExecuteAsync(Sql.CreateLogTable(), cancellationToken).ConfigureAwait(false);
        // The original's definition the shadow is built from; --resume refuses if it changes.
        _fingerprint = await MySqlCheckpoint.FingerprintAsync(Main, Sql.Source, cancellationToken).ConfigureAwait(false);
        await Main.ExecuteAsync($"CREATE TABLE {Sql.Shadow} LIKE {Sql.Source}", cancellationToken).ConfigureAwait(false);
        await AlterShadowAsync(cancellationToken).ConfigureAwait(false);
        // Before a row is in it: the user's triggers compile on the new shape for their definer (ADR 0027).
        await MySqlUserTriggers.RehearseAsync(Main, await MySqlUserTriggers.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false), Table, Names.Shadow, cancellationToken).ConfigureAwait(false);
        await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
        await CarryAutoIncrementAsync(Main, cancellationToken).ConfigureAwait(false);
        await CreateConversionsAsync(cancellationToken).ConfigureAwait(false);
        if (_mapping!.KeyWidened)
        {
            // The new key is wider than the old: keep the old one unique while rows are copied, so
            // INSERT IGNORE still keeps the applier's newer row of a key (dropped after the copy).
            await Main.ExecuteAsync($"ALTER TABLE {Sql.Shadow} ADD UNIQUE INDEX {MySqlStatements.Q(KeyWhileCopying)} ({string.Join(", ", _mapping.Key.Select(k => MySqlStatements.Q(k.ShadowName)))})", cancellationToken).ConfigureAwait(false);
        }

        _deferredIndexes = await MySqlDeferredIndexes.ReadAsync(Main, Sql.Shadow, cancellationToken).ConfigureAwait(false);
        if (_deferredIndexes.Count > 0)
        {
            // The shadow is empty and nobody else uses it yet: instant.
            await Main.ExecuteAsync(MySqlDeferredIndexes.Drop(Sql.Shadow, _deferredIndexes), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One function per column whose type the ALTER changes, so verification compares the
    /// original's value converted by the server (MySqlStatements.Conversions). A server that refuses
    /// them (no CREATE ROUTINE, or binary logging without SUPER or log_bin_trust_function_creators)
    /// leaves verification comparing text, which may report differences that are none but never
    /// misses one; the run says so.
    /// </summary>
    private async Task CreateConversionsAsync(CancellationToken cancellationToken)
    {
        var conversions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (index, map) in Sql.ChangedColumns())
        {
            var name = MySqlStatements.Q(Table.Schema, MySqlStatements.ConversionName(Table.Name, index));
            try
            {
                await Main.ExecuteAsync($"DROP FUNCTION IF EXISTS {name}", cancellationToken).ConfigureAwait(false);
                await Main.ExecuteAsync(Sql.CreateConversion(name, map), cancellationToken).ConfigureAwait(false);
                conversions[map.ShadowName] = name;
            }
            catch (MySqlServerException error)
            {
                Log.ConversionsUnavailable(_logger, error.Message);
                conversions.Clear();
                break;
            }
        }

        Sql.Conversions = conversions;
    }

    /// <summary>The temporary unique index over the old key while the copy runs on a widened key (see <see cref="MyMapping.KeyWidened"/>).</summary>
    private const string KeyWhileCopying = "shadowcopy_old_key";

    /// <summary>
    /// CREATE TABLE … LIKE starts the counter at 1; explicit ids raise it only to max(id)+1, so
    /// ids of rows deleted at the tail could be handed out again. Carry the original's counter —
    /// unless the ALTER sets AUTO_INCREMENT itself: then, as with the server's own ALTER, the user's
    /// value stands (raised to max(id)+1 by the rows copied).
    /// </summary>
    private async Task CarryAutoIncrementAsync(MySqlSession session, CancellationToken cancellationToken)
    {
        if (MySqlAlterText.SetsAutoIncrement(_options.Alter))
        {
            return;
        }

        var next = await session.ScalarInt64Async(
            $"SELECT COALESCE(AUTO_INCREMENT, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {session.Literal(Table.Schema)} AND BINARY TABLE_NAME = {session.Literal(Table.Name)}",
            cancellationToken).ConfigureAwait(false);
        if (next > 1)
        {
            await session.ExecuteAsync($"ALTER TABLE {Sql.Shadow} AUTO_INCREMENT = {next}", cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- capture ------------------------------------------------------------------------------

    public async Task StartCaptureAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "install capture";
        if (_binlog is not null)
        {
            // The stream starts before the first chunk: every change committed after this point
            // is applied from its row image, every change before it is in the copy.
            await _binlog.StartAsync(Main, Sql, _source!, from: null, cancellationToken).ConfigureAwait(false);
            _binlog.Applier!.AfterApplyForTests = AfterApplyForTests;
            await StartLockFreeCopyAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _triggers = await NewTriggerCaptureAsync(cancellationToken).ConfigureAwait(false);
            await _triggers.StartAsync(Main, cancellationToken).ConfigureAwait(false);
            await Main.ExecuteAsync("SET SESSION lock_wait_timeout = 60", cancellationToken).ConfigureAwait(false);
            await StartLockFreeCopyAsync(cancellationToken).ConfigureAwait(false);
        }

        Log.CaptureStarted(_logger, Capture);
        _transcript.Step = "copy";
    }

    // ---- copy ---------------------------------------------------------------------------------

    private async Task<MySqlTriggerCapture> NewTriggerCaptureAsync(CancellationToken cancellationToken)
    {
        var shadow = await MySqlInspector.ReadAsync(Main, Table.Schema, Names.Shadow, cancellationToken).ConfigureAwait(false);
        return new MySqlTriggerCapture(Sql, _source!, shadow, _options) { AppliedKeys = _appliedKeys, AfterApplyForTests = AfterApplyForTests };
    }

    /// <summary>
    /// The copy reads the original without locks (READ COMMITTED consistent reads), so no writer
    /// waits on it. Trigger capture: always — the applier re-copies every key changed since, on this
    /// same session after the chunk (ADR 0020), and --threads workers copy in rounds between applies.
    /// Binlog capture with one copy session: the applier's deletes are kept as tombstones and settled
    /// after each chunk (docs/adr/0017-lock-free-binlog-copy.md); with --threads the applier runs
    /// beside the copy and the chunks keep their shared locks.
    /// </summary>
    private async Task StartLockFreeCopyAsync(CancellationToken cancellationToken)
    {
        _tombstones = _binlog is not null && _options.Threads <= 1 && !_ledger.CopyDone;
        _lockFreeCopy = _triggers is not null || _tombstones;
        if (!_lockFreeCopy)
        {
            return;
        }

        await Main.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", cancellationToken).ConfigureAwait(false);
        if (_tombstones)
        {
            await Main.ExecuteAsync(Sql.CreateTombstones(), cancellationToken).ConfigureAwait(false);
            _binlog!.RecordDeletes = true;
        }
    }

    /// <summary>
    /// Removes the shadow rows of a range whose key has a tombstone and that the original no longer
    /// has, after waiting (shared locks) for writers still holding such rows; then forgets the range's
    /// tombstones. One transaction on the copy's session.
    /// </summary>
    internal static async Task SettleTombstonesAsync(MySqlSession session, MySqlStatements sql, string[]? lower, string[]? upper, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
        await session.QueryAsync(sql.LockTombstonedSourceRows(lower, upper), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(sql.DeleteTombstonedRows(lower, upper), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(sql.ClearTombstones(lower, upper), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After a lock-free chunk: removes rows of its range whose delete the applier ran before the copy could see it.</summary>
    private async Task SettleChunkAsync(string[]? lower, string[]? upper, CancellationToken cancellationToken)
    {
        await SettleTombstonesAsync(Main, Sql, lower, upper, cancellationToken).ConfigureAwait(false);
        if (upper is null)
        {
            // The last chunk: nothing is left for the copy to read, so no delete can be overtaken any more.
            _binlog!.RecordDeletes = false;
            _tombstones = false;
            _lockFreeCopy = false;
            await Main.ExecuteAsync(Sql.DropTombstones(), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken) => NextChunkAsync(chunkSize, copy: true, cancellationToken);

    /// <summary>
    /// The next key range of about <paramref name="chunkSize"/> rows; copied into the shadow, or
    /// (alter --via, where another tool copied) only recorded so verification checks it.
    /// </summary>
    internal async Task<ChunkResult> NextChunkAsync(int chunkSize, bool copy, CancellationToken cancellationToken)
    {
        if (_ledger.CopyDone)
        {
            return new ChunkResult(0, true, TimeSpan.Zero);
        }

        _transcript.Step = copy ? "copy" : "chunk for verification";
        var watch = Stopwatch.StartNew();
        try
        {
            var lower = _ledger.CopyCursor;
            var boundary = await Main.QueryAsync(Sql.NextBoundary(lower, Math.Max(0, chunkSize - 1)), cancellationToken).ConfigureAwait(false);
            var upper = boundary.Rows.Count == 0 ? null : Enumerable.Range(0, Sql.KeyCount).Select(i => MySqlLiteral.FromText(boundary.Columns[i], boundary.Rows[0], i)).ToArray();
            var rows = copy ? await CopyRangeAsync(lower, upper, inTransaction: false, session: null, cancellationToken).ConfigureAwait(false) : 0;
            if (copy && _tombstones)
            {
                await SettleChunkAsync(lower, upper, cancellationToken).ConfigureAwait(false);
            }
            _ledger.Copied(lower, upper);
            return new ChunkResult(rows, upper is null, watch.Elapsed);
        }
        catch (MySqlServerException error) when (MySqlErrors.IsRetryable(error))
        {
            await Main.ResetQuietlyAsync().ConfigureAwait(false);
            throw new RetryableDatabaseException(error.Message, error.ErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
        }
    }

    /// <summary>One range in its own transaction; truncation or conversion warnings fail the run (a lossy change).</summary>
    private async Task<long> CopyRangeAsync(string[]? lower, string[]? upper, bool inTransaction, MySqlSession? session, CancellationToken cancellationToken)
    {
        // --threads: a worker's session; its warnings must be read on that same session.
        session ??= Main;

        // A re-copy (in its own transaction) locks; --threads workers lock in binlog mode, where the
        // applier runs beside them (in trigger mode it waits for their round to end).
        var locking = inTransaction || (_triggers is null && (!_lockFreeCopy || !ReferenceEquals(session, Main)));
        var result = await session.ExecuteAsync(Sql.CopyRange(lower, upper, locking), cancellationToken).ConfigureAwait(false);
        if (result.Warnings > 0)
        {
            await MySqlCopyWarnings.ThrowIfLossyAsync(session, duplicatesViolate: false, cancellationToken).ConfigureAwait(false);
        }

        return (long)result.AffectedRows;
    }

    /// <summary>
    /// Builds the plain secondary indexes dropped from the empty shadow (<see cref="MySqlDeferredIndexes"/>),
    /// all in one online ALTER; idempotent for --resume (an index already there is not added again).
    /// In trigger mode writers also write the shadow, so the ALTER's metadata lock is bounded and retried.
    /// </summary>
    public async Task FinishCopyAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "finish copy";
        if (_mapping!.KeyWidened)
        {
            var shadow = await MySqlInspector.ReadAsync(Main, Table.Schema, Names.Shadow, cancellationToken).ConfigureAwait(false);
            if (shadow.Indexes.Any(i => string.Equals(i.Name, KeyWhileCopying, StringComparison.OrdinalIgnoreCase)))
            {
                // Nothing inserts without deleting the key first any more (applier, re-copies).
                await MySqlObjects.WithLockRetriesAsync(Main, _options.CutOverLockTimeout, _options.CutOverAttempts, $"ALTER TABLE {Sql.Shadow} DROP INDEX {MySqlStatements.Q(KeyWhileCopying)}", cancellationToken).ConfigureAwait(false);
            }
        }

        if (_deferredIndexes.Count == 0)
        {
            return;
        }

        var present = (await MySqlDeferredIndexes.ReadAsync(Main, Sql.Shadow, cancellationToken).ConfigureAwait(false)).Select(i => i.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = _deferredIndexes.Where(i => !present.Contains(i.Name)).ToList();
        if (missing.Count > 0)
        {
            await MySqlObjects.WithLockRetriesAsync(Main, _options.CutOverLockTimeout, _options.CutOverAttempts, MySqlDeferredIndexes.Add(Sql.Shadow, missing), cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- apply --------------------------------------------------------------------------------

    public async Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken)
    {
        if (_triggers is not null)
        {
            return await _triggers.ApplyAsync(Main, maxChanges, cancellationToken).ConfigureAwait(false);
        }

        if (_binlog is null)
        {
            return 0;
        }

        await _binlog.BeatAsync(Main, Sql, cancellationToken).ConfigureAwait(false);
        return await _binlog.ApplyAsync(Main, maxChanges, null, cancellationToken).ConfigureAwait(false);
    }

    public string? CaptureDetail => _binlog?.Detail;

    public Task<long> GetBacklogAsync(CancellationToken cancellationToken) =>
        _triggers is not null ? _triggers.BacklogAsync(Main, cancellationToken) : Task.FromResult(_binlog?.Backlog ?? 0L);

    /// <summary>Our trigger capture with its key log (null in binlog mode and under alter --via).</summary>
    internal MySqlTriggerCapture? Triggers => _triggers;

    // ---- verify -------------------------------------------------------------------------------

    public async Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken)
    {
        _transcript.Step = "verify";
        _snapshot ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        var ids = chunks ?? Enumerable.Range(0, _ledger.Count).ToList();

        // Binlog mode: two sessions open the same snapshot under the verification lock, so each
        // chunk's source and shadow checksums run at once (the benchmark spent 40% of a run in a
        // sequential verification). Trigger mode takes no lock, so both sides share one snapshot.
        MySqlSession? twin = null;
        var excludePending = false;
        if (VerifyPointOverride is not null)
        {
            await VerifyPointOverride(_snapshot, cancellationToken).ConfigureAwait(false);
        }
        else if (_binlog is null)
        {
            // No lock. Another tool's triggers (alter --via) write the shadow in the writer's own
            // transaction: any snapshot is consistent. Ours log keys: in the snapshot, a row whose key
            // the log no longer holds was re-copied no older than its last change, so the tables must
            // agree on every other row; the logged ones are in flight and verified later (ADR 0020).
            await _snapshot.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);
            if (_triggers is not null)
            {
                var pending = await _triggers.PendingKeysAsync(_snapshot, cancellationToken).ConfigureAwait(false);
                _appliedKeys?.AddRange(pending);
                excludePending = pending.Count > 0;
            }
        }
        else
        {
            twin = _snapshotTwin ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
            await MySqlVerifyPoint.TakeAsync(this, [_snapshot, twin], cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var mismatched = new List<int>();
            long rows = 0;
            foreach (var id in ids)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var chunk = _ledger[id];
                var sourceQuery = _snapshot.QueryAsync(Sql.SourceChecksum(chunk.Lower, chunk.Upper, excludePending), cancellationToken);
                var shadowQuery = twin?.QueryAsync(Sql.ShadowChecksum(chunk.Lower, chunk.Upper), cancellationToken);
                var source = (await sourceQuery.ConfigureAwait(false)).Rows[0];
                var shadow = (await (shadowQuery ?? _snapshot.QueryAsync(Sql.ShadowChecksum(chunk.Lower, chunk.Upper, excludePending), cancellationToken)).ConfigureAwait(false)).Rows[0];
                rows += source.GetInt64(0);
                if (Enumerable.Range(0, 3).Any(i => source.GetString(i) != shadow.GetString(i)))
                {
                    mismatched.Add(id);
                }

                if (AfterVerifyChunk is { } pace)
                {
                    await pace(System.Diagnostics.Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
                }
            }

            await _snapshot.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            if (twin is not null)
            {
                await twin.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            }

            return new VerifyRoundResult(ids.Count, rows, mismatched);
        }
        catch
        {
            await _snapshot.ResetQuietlyAsync().ConfigureAwait(false);
            if (twin is not null)
            {
                await twin.ResetQuietlyAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>The latency guard's pause after each verified chunk (ADR 0033); null: none.</summary>
    public Func<TimeSpan, CancellationToken, Task>? AfterVerifyChunk { get; set; }

    // ---- delta verification (docs/adr/0019) --------------------------------------------------------

    public DirtyKeySet? AppliedKeys
    {
        get => _appliedKeys;
        set
        {
            _appliedKeys = value;
            if (_binlog is not null)
            {
                _binlog.AppliedKeys = value;
            }

            if (_triggers is not null)
            {
                _triggers.AppliedKeys = value;
            }
        }
    }

    internal MySqlKeyVerifier KeyVerifier => _keyVerifier ??= new MySqlKeyVerifier(this);

    public Task<KeyVerifyResult> VerifyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        _transcript.Step = "verify changed rows";
        return KeyVerifier.VerifyAsync(keys, cancellationToken);
    }

    public Task RecopyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        _transcript.Step = "re-apply changed rows";
        return KeyVerifier.RecopyAsync(keys, cancellationToken);
    }

    public string Describe(RowKey key) => KeyVerifier.Describe(key);

    /// <summary>
    /// Opens a consistent snapshot on each of <paramref name="snapshots"/> at a point where the shadow
    /// equals the original: in binlog mode under the verification lock after a drain (<see cref="MySqlVerifyPoint"/>);
    /// otherwise any snapshot (with our trigger capture, the caller leaves out the keys the log holds there).
    /// </summary>
    internal async Task TakeConsistentPointAsync(IReadOnlyList<MySqlSession> snapshots, CancellationToken cancellationToken)
    {
        if (VerifyPointOverride is not null)
        {
            foreach (var snapshot in snapshots)
            {
                await VerifyPointOverride(snapshot, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (_binlog is null)
        {
            foreach (var snapshot in snapshots)
            {
                await snapshot.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await MySqlVerifyPoint.TakeAsync(this, snapshots, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken)
    {
        _transcript.Step = "re-copy";
        foreach (var id in chunks)
        {
            var chunk = _ledger[id];
            await Main.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
            try
            {
                await Main.ExecuteAsync(Sql.DeleteShadowRange(chunk.Lower, chunk.Upper), cancellationToken).ConfigureAwait(false);
                await CopyRangeAsync(chunk.Lower, chunk.Upper, inTransaction: true, session: null, cancellationToken).ConfigureAwait(false);
                await Main.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await Main.ResetQuietlyAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    // ---- cut-over -----------------------------------------------------------------------------

    public Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken)
    {
        // The journal labels each statement with its step (the drain used to show up as "verify").
        _transcript.Step = "cut-over";
        return MySqlCutOver.TryAsync(this, lockTimeout, verification, cancellationToken);
    }

    public async Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken)
    {
        _transcript.Step = "after cut-over";
        await EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        if (_foreignKeys is not null)
        {
            await _foreignKeys.FinishAsync(Main, Sql, _options.CutOverLockTimeout, _options.CutOverAttempts * 4, cancellationToken).ConfigureAwait(false);
        }
        else if (_finishingSwap is not null)
        {
            // Resumed after a kill in this phase: what FinishAsync would have done, read from the catalog.
            await MySqlForeignKeys.FinishFromCatalogAsync(Main, Table, Names.Old, _options.CutOverLockTimeout, _options.CutOverAttempts * 4, cancellationToken).ConfigureAwait(false);
        }

        if (ChangesAfterDrain is > 0)
        {
            // Never drop the old table then: it holds the only copy of those changes.
            await MySqlObjects.DropAllAsync(Main, Table, Names, _options.CutOverLockTimeout, 20, cancellationToken).ConfigureAwait(false);
            throw new ShadowCopyException(
                $"The swap is done, but {ChangesAfterDrain} row change(s) reached the old table between the final drain and the RENAME; they are in {Names.Old} and not in the new table. Reconcile them from {Names.Old} (report this as a bug).",
                ExitCodes.CutOverFailed);
        }

        if (dropOldTable)
        {
            // Before the helpers: DropAllAsync removes the checkpoint last, so until then a resume finishes this.
            await MySqlObjects.WithLockRetriesAsync(Main, _options.CutOverLockTimeout, 20, $"DROP TABLE IF EXISTS {MySqlStatements.Q(Table.Schema, Names.Old)}", cancellationToken).ConfigureAwait(false);
        }

        await MySqlObjects.DropAllAsync(Main, Table, Names, _options.CutOverLockTimeout, 20, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A resume after a kill during the cleanup: the checkpoint says the swap is done (the runner
    /// writes phase CleaningUp right after it), or — killed between the RENAME and that write — the
    /// catalog shows it: the copy was complete, the shadow is gone and the old name holds a table
    /// that is not our cut-over sentry (only the RENAME moves the original there, and a run cannot
    /// start while that name is taken). Returns the report of a run that only finishes the cleanup,
    /// or null when the run has not swapped.
    /// </summary>
    private async Task<PreflightReport?> FindFinishedSwapAsync(CancellationToken cancellationToken)
    {
        var helpers = await MySqlObjects.HelperTablesAsync(Main, Table.Schema, [Names.State, Names.Shadow, Names.Old], cancellationToken).ConfigureAwait(false);
        if (!helpers.GetValueOrDefault(Names.State) || await MySqlCheckpoint.LoadAsync(Main, StateTable, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return null;
        }

        var swapped = stored.Progress.Phase == Phase.CleaningUp
            || (stored.Progress.CopyDone && !helpers.ContainsKey(Names.Shadow) && helpers.TryGetValue(Names.Old, out var oldIsOurs) && !oldIsOurs);
        if (!swapped)
        {
            return null;
        }

        if (!string.Equals(stored.Alter, _options.Alter, StringComparison.Ordinal))
        {
            throw new PreflightRefusedException(
                RefusalReason.ResumeNotPossible,
                $"Cannot resume: the earlier run on {Table} already swapped in a different ALTER ('{stored.Alter}') and stopped during its cleanup. Nothing was changed. Resume with that --alter to finish it, or remove what it left with `shadowcopy cleanup --dsn … --table {Table.Name}`.");
        }

        _finishingSwap = stored;
        return new PreflightReport(stored.Progress.RowsEstimated, 0, [], [], [], [], _warnings);
    }

    // ---- cleanup ------------------------------------------------------------------------------

    public async Task CleanupAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "cleanup";
        if (_binlog is not null)
        {
            await _binlog.StopAsync().ConfigureAwait(false);
        }

        await CloseSnapshotAsync().ConfigureAwait(false);
        await CloseProbeAsync().ConfigureAwait(false);
        if (_keyVerifier is not null)
        {
            await _keyVerifier.CloseAsync().ConfigureAwait(false);
        }

        await EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        await Main.ResetQuietlyAsync().ConfigureAwait(false);
        await MySqlObjects.DropAllAsync(Main, Table, Names, _options.CutOverLockTimeout, 20, cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps()
    {
        var plan = new List<PlannedStatement>();
        if (Capture == CaptureMode.Trigger)
        {
            plan.Add(new("install capture", Sql.CreateKeyLog(), false));
            plan.AddRange(Sql.CreateTriggers(Table.Name).Select(t => new PlannedStatement("install capture", t.Sql, false, $"metadata lock, lock_wait_timeout {_options.CutOverLockTimeout.TotalSeconds:0} s, retried")));
            plan.Add(new("apply (per batch, READ COMMITTED)", Sql.TakeKeys(_options.ApplyBatchSize), false));
            plan.Add(new("apply (per batch, READ COMMITTED)", Sql.ApplyKeys([Enumerable.Repeat("<key>", Sql.KeyCount).ToArray()]), false, "consistent read: no row locks on the original"));
        }
        else
        {
            plan.Add(new("install capture", "(read the binlog from the current position; apply row images by key)", false));
        }

        var lockFree = Capture == CaptureMode.Trigger || _options.Threads <= 1;
        plan.Add(new("copy (per chunk)", Sql.CopyRange(["<lower>"], ["<upper>"], locking: !lockFree), false, lockFree ? "READ COMMITTED consistent read: no row locks on the original" : "shared row locks on the chunk's rows for the statement"));
        if (lockFree && Capture == CaptureMode.Binlog)
        {
            plan.Add(new("copy (per chunk)", Sql.DeleteTombstonedRows(["<lower>"], ["<upper>"]), false));
        }

        if (_deferredIndexes.Count > 0)
        {
            plan.Add(new("finish copy (indexes built after the copy)", MySqlDeferredIndexes.Add(Sql.Shadow, _deferredIndexes), false, $"metadata lock on the shadow, lock_wait_timeout {_options.CutOverLockTimeout.TotalSeconds:0} s, retried"));
        }

        plan.Add(new("verify (per chunk)", Sql.SourceChecksum(["<lower>"], ["<upper>"]), false));
        plan.Add(new("verify (per chunk)", Sql.ShadowChecksum(["<lower>"], ["<upper>"]), false));
        plan.AddRange(MySqlCutOver.Describe(this));
        return plan;
    }

    public async ValueTask DisposeAsync()
    {
        if (_binlog is not null)
        {
            await _binlog.StopAsync().ConfigureAwait(false);
        }

        await CloseSnapshotAsync().ConfigureAwait(false);
        await CloseCopyWorkersAsync().ConfigureAwait(false);
        if (_keyVerifier is not null)
        {
            await _keyVerifier.CloseAsync().ConfigureAwait(false);
        }
        if (_probe is not null)
        {
            await _probe.DisposeAsync().ConfigureAwait(false);
        }

        if (_keyRead is not null)
        {
            await _keyRead.DisposeAsync().ConfigureAwait(false);
        }

        if (_main is not null)
        {
            await _main.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal MySqlSession MainSession => Main;

    internal MySqlStatements Statements => Sql;

    internal AlterOptions Options => _options;

    internal ILogger Logger => _logger;

    internal MySqlBinlogCapture? Binlog => _binlog;

    /// <summary>The keys moved across the swap (ADR 0026); null under alter --via.</summary>
    internal MySqlForeignKeys? ForeignKeys => _foreignKeys;

    /// <summary>Binlog cut-over: row changes that reached the old table between drain and swap (null: not known).</summary>
    internal long? ChangesAfterDrain { get; set; }

    internal async Task EnsureMainAsync(CancellationToken cancellationToken)
    {
        if (_main is null || _main.IsBroken)
        {
            if (_main is not null)
            {
                await _main.DisposeAsync().ConfigureAwait(false);
            }

            _main = await OpenAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal async Task<MySqlSession> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await MySqlSession.OpenAsync(_settings, _transcript, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is MySqlIOException or MySqlTimeoutException or MySqlServerException && !cancellationToken.IsCancellationRequested)
        {
            throw MySqlConnectErrors.ToException(_settings, error);
        }
    }

    /// <summary>alter --via: another tool created and filled <see cref="HelperObjectNames.Shadow"/>; map it for verification and cut-over.</summary>
    internal async Task AdoptShadowAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "adopt the tool's new table";
        await EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
        await CreateConversionsAsync(cancellationToken).ConfigureAwait(false);
    }

    internal Task CarryAutoIncrementForCutOverAsync(MySqlSession session, CancellationToken cancellationToken) => CarryAutoIncrementAsync(session, cancellationToken);

    private async Task CloseSnapshotAsync()
    {
        if (_snapshot is not null)
        {
            await _snapshot.DisposeAsync().ConfigureAwait(false);
            _snapshot = null;
        }

        if (_snapshotTwin is not null)
        {
            await _snapshotTwin.DisposeAsync().ConfigureAwait(false);
            _snapshotTwin = null;
        }
    }

    private async Task CloseProbeAsync()
    {
        if (_probe is not null)
        {
            await _probe.DisposeAsync().ConfigureAwait(false);
            _probe = null;
        }
    }

    // ---- checkpoint and resume (docs/adr/0012-mysql-checkpoint.md) -----------------------------

    private string StateTable => MySqlStatements.Q(Table.Schema, Names.State);

    public async Task SaveCheckpointAsync(RunProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var step = _transcript.Step;
        _transcript.Step = "checkpoint";
        try
        {
            await EnsureMainAsync(cancellationToken).ConfigureAwait(false);
            _fingerprint ??= await MySqlCheckpoint.FingerprintAsync(Main, Sql.Source, cancellationToken).ConfigureAwait(false);
            if (!_stateTableReady)
            {
                await Main.ExecuteAsync(MySqlCheckpoint.CreateTable(StateTable, Sql.Comment("checkpoint")), cancellationToken).ConfigureAwait(false);
                _stateTableReady = true;
            }

            // Called between steps (no chunk or apply in flight): the chunk list and the position
            // describe the same committed shadow.
            // With --threads, workers may be copying: only the contiguous prefix of committed
            // chunks is recorded (the rest is copied again after a resume).
            var position = _binlog?.CheckpointPosition;
            var committed = _ledger.Committed();
            List<string[]?> uppers = [.. committed.Chunks.Select(c => c.Upper)];
            var checkpoint = new MySqlCheckpoint(
                _options.Alter,
                Capture,
                _fingerprint,
                uppers,
                position,
                progress with { ChunksCopied = uppers.Count, CopyDone = progress.CopyDone && committed.Done });
            await checkpoint.SaveAsync(Main, StateTable, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _transcript.Step = step;
        }
    }

    public async Task<RunProgress> ResumeAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "resume";
        if (_finishingSwap is { } finished)
        {
            return finished.Progress with { Phase = Phase.CleaningUp }; // the swap is done: only the cleanup is owed
        }

        const string Again = "Run `shadowcopy cleanup --dsn … --table {0}` and then the same alter again without --resume.";
        var again = string.Format(System.Globalization.CultureInfo.InvariantCulture, Again, Table.Name);
        PreflightRefusedException Refuse(string what) => new(RefusalReason.ResumeNotPossible, $"Cannot resume: {what}. Nothing was changed. {again}");

        // Every check before anything is touched: a refused resume leaves the killed run's objects as they were.
        var helpers = await MySqlObjects.HelperTablesAsync(Main, Table.Schema, [Names.State, Names.ChangeLog, Names.Shadow], cancellationToken).ConfigureAwait(false);
        if (!helpers.GetValueOrDefault(Names.State))
        {
            throw new PreflightRefusedException(
                RefusalReason.ResumeNotPossible,
                $"Cannot resume: there is no checkpoint of a run on {Table} ({Table.Schema}.{Names.State} is missing). Nothing was changed. Run the alter without --resume{(helpers.Count > 0 ? $" after `shadowcopy cleanup --dsn … --table {Table.Name}` (an earlier run left {string.Join(", ", helpers.Keys)})" : string.Empty)}.");
        }

        var stored = await MySqlCheckpoint.LoadAsync(Main, StateTable, cancellationToken).ConfigureAwait(false)
            ?? throw Refuse($"the checkpoint table {Names.State} holds no checkpoint (the run was killed before its first one)");
        if (!string.Equals(stored.Alter, _options.Alter, StringComparison.Ordinal))
        {
            throw Refuse($"the ALTER differs from the checkpointed run's ('{stored.Alter}'); resume with exactly that text, or start over");
        }

        if (stored.Capture != Capture)
        {
            throw Refuse($"the checkpointed run used --capture {stored.Capture.ToString().ToLowerInvariant()}, this one {Capture.ToString().ToLowerInvariant()}");
        }

        var fingerprint = await MySqlCheckpoint.FingerprintAsync(Main, MySqlStatements.Q(Table.Schema, Table.Name), cancellationToken).ConfigureAwait(false);
        if (fingerprint != stored.SchemaFingerprint)
        {
            throw Refuse($"{Table}'s definition changed since the checkpoint (SHOW CREATE TABLE differs); the shadow no longer matches it");
        }

        if (!helpers.GetValueOrDefault(Names.ChangeLog) || !helpers.ContainsKey(Names.Shadow))
        {
            throw Refuse($"the shadow {Names.Shadow} or the run's table {Names.ChangeLog} is gone");
        }

        if (Capture == CaptureMode.Trigger)
        {
            var triggers = await MySqlObjects.OurTriggerNamesAsync(Main, Table, cancellationToken).ConfigureAwait(false);
            var missing = MySqlObjects.TriggerNames(Table.Name).Except(triggers, StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                // Without them, writes since the kill never reached the shadow.
                throw Refuse($"capture trigger(s) {string.Join(", ", missing)} on {Table} are gone, so changes may be missing from the shadow");
            }

            var keyLog = MySqlStatements.KeyLogName(Table.Name);
            if (!(await MySqlObjects.HelperTablesAsync(Main, Table.Schema, [keyLog], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(keyLog))
            {
                throw Refuse($"the capture's key log {keyLog} is gone, so changes may be missing from the shadow");
            }
        }
        else
        {
            if (stored.Binlog is null)
            {
                throw Refuse("the checkpoint holds no binlog position");
            }

            var logs = await Main.QueryAsync("SHOW BINARY LOGS", cancellationToken).ConfigureAwait(false);
            if (!logs.Rows.Any(r => r.GetString(0) == stored.Binlog.FileName))
            {
                throw Refuse($"the binlog file {stored.Binlog.FileName} the capture must restart from has been purged (see SHOW BINARY LOGS and expire_logs_days / binlog_expire_logs_seconds)");
            }

            await MySqlPreflight.CheckResumeGtidAsync(Main, stored.Binlog.GtidSet, cancellationToken).ConfigureAwait(false);
        }

        // A run killed inside its cut-over may have left the table's own triggers on the shadow: back first (ADR 0027).
        await MySqlUserTriggers.RestoreFromShadowAsync(Main, Table, Names.Shadow, _options.CutOverLockTimeout, cancellationToken).ConfigureAwait(false);

        // Continue: statements for the real shadow, the copy after the watermark, capture from the position.
        await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
        await CreateConversionsAsync(cancellationToken).ConfigureAwait(false);
        _fingerprint = fingerprint;
        _stateTableReady = true;
        _ledger.RestoreFromUppers(stored.ChunkUppers, stored.AllChunksCopied);
        if (_binlog is not null)
        {
            await _binlog.StartAsync(Main, Sql, _source!, stored.Binlog, cancellationToken).ConfigureAwait(false);
            _binlog.Applier!.AfterApplyForTests = AfterApplyForTests;
            await StartLockFreeCopyAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // The key log survived the killed run with every key logged since and not yet applied: it is the durable queue.
            _triggers = await NewTriggerCaptureAsync(cancellationToken).ConfigureAwait(false);
            await Main.ExecuteAsync("SET SESSION lock_wait_timeout = 60", cancellationToken).ConfigureAwait(false);
            await StartLockFreeCopyAsync(cancellationToken).ConfigureAwait(false);
        }

        Log.Resumed(_logger, _ledger.Count, (object?)stored.Binlog ?? "-");
        _transcript.Step = "copy";
        return stored.Progress with { ChunksCopied = _ledger.Count, CopyDone = stored.Progress.CopyDone && _ledger.CopyDone };
    }

    // ---- throttle probe -----------------------------------------------------------------------

    private MySqlServerProbe Probe => _probe ??= new MySqlServerProbe(_settings, MySqlStatements.Q(Table.Schema, Names.ChangeLog), _replicas ?? MySqlServerProbe.ParseReplicas(_options.ReplicaDsns));

    public Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken) =>
        Probe.ReadLoadAsync(metrics, cancellationToken);

    public Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken) =>
        Probe.RunThrottleQueryAsync(sql, cancellationToken);

    /// <summary>The <c>--replica</c> DSNs only; without them an empty list (MySQL cannot read its replicas' lag from the primary reliably).</summary>
    public Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken) =>
        Probe.ReadReplicaLagAsync(cancellationToken);

    public Task<TimeSpan> ProbeKeyReadAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken) =>
        (_keyRead ??= new MySqlKeyReadProbe(_settings, Table)).ReadAsync(keyColumns, cancellationToken);
}
