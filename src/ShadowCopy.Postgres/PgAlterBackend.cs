using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Capture.Logical;
using ShadowCopy.Postgres.Capture.Trigger;
using ShadowCopy.Postgres.CutOver;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Preflight;
using ShadowCopy.Postgres.Shadow;
using ShadowCopy.Postgres.Throttling;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.Postgres;

/// <summary>
/// PostgreSQL online ALTER. Changes are captured by triggers (ADR 0002) or a pgoutput slot
/// (<see cref="PgLogicalCapture"/>), behind <see cref="IPgCapture"/>; everything else — rehearsal,
/// shadow, chunked copy, consistent-snapshot verification, one-transaction swap — is shared.
/// </summary>
public sealed partial class PgAlterBackend : IAlterBackend, ICaptureStatus, IKeyVerifier, IPacedVerification
{
    private static readonly PgDialect D = PgDialect.Instance;

    private readonly NpgsqlConnectionStringBuilder _settings;
    private readonly AlterOptions _options;
    private readonly ILogger _logger;
    private readonly PgCaptureOptions _captureOptions;
    private readonly SqlTranscript _transcript = new();
    private readonly ChunkLedger _ledger = new();
    private readonly Dictionary<string, string> _indexTempNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constraintTempNames = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];

    private PgSession? _main;
    private PgSession? _side;
    private PgSession? _snapshot;
    private PgSession? _snapshotTwin;
    private readonly List<string> _deferredIndexes = [];
    private PgTable? _source;
    private IReadOnlyList<PgUserTrigger> _userTriggers = [];
    private PgTable? _shadow;
    private PgMapping? _mapping;
    private PgStatements? _sql;
    private string? _alter;
    private IPgCapture? _capture;
    private DirtyKeySet? _appliedKeys;

    public PgAlterBackend(NpgsqlConnectionStringBuilder settings, AlterOptions options, ILogger logger, PgCaptureOptions? capture = null)
    {
        _settings = settings;
        _options = options;
        _logger = logger;
        _captureOptions = capture ?? new PgCaptureOptions();
        _transcript.Enabled = !options.Execute;
        Names = HelperObjectNames.For(options.Table.Name, D.MaxIdentifierBytes);
    }

    public string? CaptureDetail => (_capture?.Detail, _autovacuum?.Detail) switch
    {
        (null, var vacuum) => vacuum,
        (var capture, null) => capture,
        (var capture, var vacuum) => $"{capture}, {vacuum}",
    };

    private PgAutovacuum? _autovacuum;

    /// <summary>Before a lock request on the table (and the shadow): no autovacuum may make writers queue behind it (ADR 0029).</summary>
    internal Task ClearAutovacuumAsync(PgSession session, uint? shadow, CancellationToken cancellationToken) =>
        (_autovacuum ??= new PgAutovacuum(_captureOptions.AutovacuumWait)).ClearAsync(session, shadow is { } oid ? [_source!.Oid, oid] : [_source!.Oid], cancellationToken);

    private IPgCapture Capture => _capture ?? throw new InvalidOperationException("shadow not created yet");

    public HelperObjectNames Names { get; }

    public IReadOnlyList<PlannedStatement> ExecutedStatements => _transcript.Snapshot();

    public SqlTranscript Transcript => _transcript;

    private TableName Table => _options.Table;

    private PgStatements Sql => _sql ?? throw new InvalidOperationException("shadow not created yet");

    private PgSession Main => _main ?? throw new InvalidOperationException("not connected");

    /// <summary>A data error from the copy or an applier: the shadow cannot hold a row (exit 7, not a crash).</summary>
    public ShadowCopyException? ClassifyFailure(Exception error) =>
        error is PostgresException postgres && PgErrors.IsDataError(postgres) ? PgErrors.ConversionRefused(postgres) : null;

    // ---- preflight ----------------------------------------------------------------------------

    public async Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken)
    {
        // Catalog reads and the rolled-back rehearsal are not part of the plan a user reads.
        _transcript.Enabled = false;
        _transcript.Step = "preflight";
        try
        {
            CheckLoadMetrics(_options.MaxLoad.Concat(_options.CriticalLoad).Select(t => t.Metric));
        }
        catch (ArgumentException error)
        {
            throw new ShadowCopyException($"--max-load / --critical-load: {error.Message}", ExitCodes.UsageError, error);
        }

        _main = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_options.Resume && await FindFinishedSwapAsync(cancellationToken).ConfigureAwait(false) is { } finished)
        {
            // The table now is the new one: no check or rehearsal of the ALTER applies to it any more.
            return finished;
        }

        var source = await PgInspector.ReadAsync(Main, Table, cancellationToken).ConfigureAwait(false)
            ?? throw new PreflightRefusedException(RefusalReason.TableMissing, $"Table {Table} does not exist (names are case-sensitive when quoted: --table '\"MySchema\".\"MyTable\"').");
        _source = source;
        if (_options.Revertible)
        {
            Revert.PgReverseCapture.Check(Table, source);
        }

        PgPreflight.CheckTable(source, _options);
        _userTriggers = await PgUserTriggers.ReadAsync(Main, source.Oid, Names.Trigger, cancellationToken).ConfigureAwait(false);
        if (_captureOptions.IsLogical)
        {
            await PgPreflight.CheckLogicalAsync(Main, source, _captureOptions, needsNewSlot: !_options.Resume, cancellationToken).ConfigureAwait(false);
        }

        await PgObjects.CheckNoLeftoversAsync(Main, Table, Names, _options.Resume, cancellationToken).ConfigureAwait(false);
        _alter = PgAlterText.Validate(_options.Alter);
        await TakeRunLockAsync(cancellationToken).ConfigureAwait(false);
        if (_options.Resume)
        {
            return await PreflightResumeAsync(source, cancellationToken).ConfigureAwait(false);
        }

        // Rehearse the shadow and the ALTER on an empty clone in a transaction that is rolled
        // back: the ALTER's errors, the column mapping and the key's survival are known before
        // anything is created.
        _transcript.Step = "preflight (rehearsal, rolled back)";
        await Main.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
        try
        {
            await CreateShadowObjectsAsync(cancellationToken).ConfigureAwait(false);
            await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
            await ExplainAsync(cancellationToken).ConfigureAwait(false);
            await PgUserTriggers.RehearseAsync(Main, _userTriggers, _mapping!, Table, D.Qualified(Table.Schema, Names.Shadow), cancellationToken).ConfigureAwait(false);
            if (_options.Revertible)
            {
                await Revert.PgReverseCapture.RehearseAsync(Main, source, _mapping!, Table, D.Qualified(Table.Schema, Names.Shadow), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await Main.RollbackQuietlyAsync().ConfigureAwait(false);
        }

        _transcript.Enabled = !_options.Execute;
        return Report(source);
    }

    /// <summary>
    /// Preflight of a resumed run: the shadow exists already, so instead of rehearsing, the checkpoint
    /// is checked against the table (refusing with exit 20 and changing nothing), the existing shadow
    /// is read for the mapping, and the copy and checksum statements are planned against it.
    /// </summary>
    private async Task<PreflightReport> PreflightResumeAsync(PgTable source, CancellationToken cancellationToken)
    {
        _transcript.Step = "preflight (resume)";
        await LoadCheckpointAsync(cancellationToken).ConfigureAwait(false);

        // The same deterministic temporary names the killed run gave the shadow's indexes and
        // constraints; the cut-over renames them back.
        _indexTempNames.Clear();
        _constraintTempNames.Clear();
        _ = PgShadowDdl.Build(source, Names, _indexTempNames, _constraintTempNames);
        await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
        await ExplainAsync(cancellationToken).ConfigureAwait(false);
        _transcript.Enabled = !_options.Execute;
        return Report(source);
    }

    private PreflightReport Report(PgTable source)
    {
        var mapping = _mapping!;
        return new PreflightReport(
            source.EstimatedRows,
            source.Bytes,
            mapping.Key.Select(k => k.SourceName).ToList(),
            mapping.Copied.Select(c => c.SourceName).ToList(),
            mapping.Dropped,
            mapping.Added,
            _warnings);
    }

    // ---- shadow -------------------------------------------------------------------------------

    public async Task CreateShadowAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "create shadow";
        await Main.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
        try
        {
            await CreateShadowObjectsAsync(cancellationToken).ConfigureAwait(false);
            await Main.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await Main.RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }

        await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);

        // Plain secondary indexes are built after the copy, as one sorted build each, instead of
        // being maintained row by row through every chunk (pg_repack does the same). The key and
        // every unique index stay: the applier and ON CONFLICT rely on them.
        _deferredIndexes.Clear();
        foreach (var index in _shadow!.Indexes.Where(i => !i.IsUnique && i.ConstraintType is null && i.IsValid))
        {
            _deferredIndexes.Add(index.Definition);
            await Main.ExecuteAsync($"DROP INDEX {D.Qualified(Table.Schema, index.Name)}", null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CreateShadowObjectsAsync(CancellationToken cancellationToken)
    {
        var source = _source!;
        _indexTempNames.Clear();
        _constraintTempNames.Clear();
        foreach (var statement in PgShadowDdl.Build(source, Names, _indexTempNames, _constraintTempNames))
        {
            await Main.ExecuteAsync(statement, null, cancellationToken).ConfigureAwait(false);
        }

        var alter = PgAlterText.MapNames(_alter!, _constraintTempNames, _indexTempNames);
        try
        {
            await Main.ExecuteAsync($"ALTER TABLE {D.Qualified(Table.Schema, Names.Shadow)} {alter}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error)
        {
            throw new PreflightRefusedException(RefusalReason.AlterRejected, $"PostgreSQL rejected the ALTER on the shadow: {error.MessageText} (SQLSTATE {error.SqlState}). Nothing was changed.", error);
        }
    }

    private async Task PrepareStatementsAsync(CancellationToken cancellationToken)
    {
        using var quiet = _transcript.Pause();
        _shadow = await PgInspector.ReadAsync(Main, new TableName(Table.Schema, Names.Shadow), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("shadow table vanished");
        // Logical capture identifies rows by the replica identity: make that index the key.
        var identity = _captureOptions.IsLogical && _source!.ReplicaIdentity == "i" ? _source.Indexes.FirstOrDefault(i => i.IsReplicaIdentity)?.Name : null;
        _mapping = PgMapping.Build(_source!, _shadow, identity, PgAlterText.UsingExpressions(_alter!));
        var keyAttNums = _shadow.Columns.Where(c => _mapping.Key.Any(k => k.ShadowName == c.Name)).Select(c => c.AttNum).ToHashSet();
        var shadowToSource = _mapping.Copied.ToDictionary(c => c.ShadowName, c => c.SourceName, StringComparer.Ordinal);
        var uniques = new List<IReadOnlyList<string>>();
        foreach (var index in _shadow.Indexes.Where(i => i.IsUnique && !i.HasPredicate && i.Columns.All(a => a > 0)))
        {
            if (index.Columns.Count == keyAttNums.Count && index.Columns.All(keyAttNums.Contains))
            {
                continue;
            }

            var names = index.Columns.Select(a => _shadow.Columns.Single(c => c.AttNum == a).Name).ToList();
            if (names.All(shadowToSource.ContainsKey))
            {
                uniques.Add(names.Select(n => shadowToSource[n]).ToList());
            }
        }

        var rowHash = await PgInspector.RowHashAsync(Main, _shadow.Oid, _mapping.Copied.Select(c => c.ShadowName).ToList(), cancellationToken).ConfigureAwait(false);
        _sql = new PgStatements(Table, Names, _mapping, uniques, rowHash);
        if (_capture is not null)
        {
            await _capture.DisposeAsync().ConfigureAwait(false);
        }

        _capture = _captureOptions.IsLogical
            ? new PgLogicalCapture(_settings, Table, _sql, _mapping, _captureOptions)
            : new PgTriggerCapture(_sql, Table, _options.CutOverLockTimeout, _options.CutOverAttempts);
        _capture.AppliedKeys = _appliedKeys;
    }

    /// <summary>Plans (without running) the copy and checksum statements, so a type change without a cast fails here.</summary>
    private async Task ExplainAsync(CancellationToken cancellationToken)
    {
        var keyCount = _mapping!.Key.Count;
        await PgPreflight.CheckUsingAsync(Main, _mapping, cancellationToken).ConfigureAwait(false);
        var bounds = Enumerable.Repeat<object?>(null, keyCount * 2).ToList();
        try
        {
            await Main.ExecuteAsync("EXPLAIN " + Sql.CopyRange(true, true), bounds, cancellationToken).ConfigureAwait(false);
            await Main.ExecuteAsync("EXPLAIN " + Sql.SourceChecksum(true, true), bounds, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error)
        {
            throw new PreflightRefusedException(
                RefusalReason.AlterRejected,
                $"The copy cannot convert the changed columns: {error.MessageText}. Change the column's type in a separate expand/contract step (add a new column, backfill, swap).",
                error);
        }
    }

    // ---- capture ------------------------------------------------------------------------------

    public async Task StartCaptureAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "install capture";
        // The trigger (SHARE ROW EXCLUSIVE) and the publication (SHARE UPDATE EXCLUSIVE) both wait for an autovacuum.
        await ClearAutovacuumAsync(Main, shadow: null, cancellationToken).ConfigureAwait(false);
        await Capture.StartAsync(Main, cancellationToken).ConfigureAwait(false);
        Log.CaptureStarted(_logger, CaptureMode);
        _transcript.Step = "copy";
    }

    // ---- copy ---------------------------------------------------------------------------------

    public async Task<ChunkResult> CopyChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        if (_ledger.CopyDone)
        {
            return new ChunkResult(0, true, TimeSpan.Zero);
        }

        _transcript.Step = "copy";
        var watch = Stopwatch.StartNew();
        try
        {
            var lower = _ledger.CopyCursor;
            var args = new List<object?>();
            if (lower is not null)
            {
                args.AddRange(lower);
            }

            args.Add((long)chunkSize);
            var row = await CopyNextChunkAsync(lower, args, cancellationToken).ConfigureAwait(false);
            var read = (long)row[0]!;
            var rows = (long)row[1]!;
            // Fewer rows than asked: the key space is exhausted, and the last chunk stays open-ended
            // so verification also covers keys inserted above it since (the capture has them).
            string[]? upper = read < chunkSize ? null : row.Skip(2).Select(v => (string)v!).ToArray();
            _ledger.Copied(lower, upper);
            return new ChunkResult(rows, upper is null, watch.Elapsed);
        }
        catch (PostgresException error) when (PgErrors.IsRetryable(error))
        {
            throw new RetryableDatabaseException(error.MessageText, error.SqlState, error);
        }
    }

    /// <summary>
    /// Copies with a plain insert, about half the cost of ON CONFLICT's speculative insertion. Rows
    /// are in the shadow ahead of the copy only where the applier put a changed key or a resumed run
    /// copies a chunk again; one index probe tells whether the statement must leave such rows out
    /// (an anti-join, bounded to the range). Anything else that conflicts — another unique index, a
    /// row that arrives after the probe — fails the plain insert whole (nothing is written), and the
    /// chunk is copied with ON CONFLICT DO NOTHING instead: the result is always the one ON CONFLICT
    /// would give.
    /// </summary>
    private async Task<object?[]> CopyNextChunkAsync(string[]? lower, List<object?> args, CancellationToken cancellationToken)
    {
        var hasLower = lower is not null;
        var present = await ShadowHasRowsAsync(Main, lower, null, cancellationToken).ConfigureAwait(false);
        try
        {
            return (await Main.QueryAsync(Sql.CopyNextChunkPlain(hasLower, present), args, cancellationToken).ConfigureAwait(false))[0];
        }
        catch (PostgresException error) when (PgErrors.IsConflict(error))
        {
            return (await Main.QueryAsync(Sql.CopyNextChunk(hasLower), args, cancellationToken).ConfigureAwait(false))[0];
        }
    }

    /// <summary>--threads: one range, by a plain insert first (see <see cref="CopyNextChunkAsync"/>).</summary>
    private async Task<long> CopyRangeFastAsync(PgSession session, string[]? lower, string[]? upper, CancellationToken cancellationToken)
    {
        var present = await ShadowHasRowsAsync(session, lower, upper, cancellationToken).ConfigureAwait(false);
        try
        {
            return await session.ExecuteAsync(Sql.CopyRangePlain(lower is not null, upper is not null, present), RangeArgs(lower, upper), cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error) when (PgErrors.IsConflict(error))
        {
            return await CopyRangeAsync(session, lower, upper, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> ShadowHasRowsAsync(PgSession session, string[]? lower, string[]? upper, CancellationToken cancellationToken) =>
        (await session.QueryAsync(Sql.FirstShadowRow(lower is not null, upper is not null), RangeArgs(lower, upper), cancellationToken).ConfigureAwait(false)).Count > 0;

    private async Task<long> CopyRangeAsync(PgSession session, string[]? lower, string[]? upper, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(Sql.CopyRange(lower is not null, upper is not null), RangeArgs(lower, upper), cancellationToken).ConfigureAwait(false);

    private static List<object?> RangeArgs(string[]? lower, string[]? upper)
    {
        var args = new List<object?>();
        if (lower is not null)
        {
            args.AddRange(lower);
        }

        if (upper is not null)
        {
            args.AddRange(upper);
        }

        return args;
    }

    public async Task FinishCopyAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "finish copy";
        if (_deferredIndexes.Count > 0)
        {
            await Main.ExecuteAsync("SET maintenance_work_mem = '256MB'", null, cancellationToken).ConfigureAwait(false);
            foreach (var definition in _deferredIndexes)
            {
                // Idempotent for --resume: a killed run may have built some of them already (a
                // CREATE INDEX cut short rolls back whole, so an index that exists is complete).
                await Main.ExecuteAsync(IfNotExists(definition), null, cancellationToken).ConfigureAwait(false);
            }

            await Main.ExecuteAsync("RESET maintenance_work_mem", null, cancellationToken).ConfigureAwait(false);
        }

        // Fresh statistics so the applier's joins and the checksums get sane plans.
        await Main.ExecuteAsync($"ANALYZE {Sql.Shadow}", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>CREATE INDEX name …</c> (pg_get_indexdef's form for the non-unique indexes we defer) → <c>CREATE INDEX IF NOT EXISTS name …</c>.</summary>
    internal static string IfNotExists(string definition)
    {
        const string Plain = "CREATE INDEX ";
        return definition.StartsWith(Plain, StringComparison.Ordinal) && !definition.StartsWith(Plain + "IF NOT EXISTS ", StringComparison.Ordinal)
            ? "CREATE INDEX IF NOT EXISTS " + definition[Plain.Length..]
            : definition;
    }

    // ---- apply --------------------------------------------------------------------------------

    public async Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken)
    {
        if (_capture is null)
        {
            return 0;
        }

        var applied = await _capture.ApplyAsync(Main, maxChanges, ownTransaction: true, cancellationToken).ConfigureAwait(false);
        if (applied > 0 && AfterApplyForTests is { } hook)
        {
            await hook(Main, cancellationToken).ConfigureAwait(false);
        }

        return applied;
    }

    /// <summary>Test seam: runs after every committed apply batch and every re-apply (a deliberately wrong conversion).</summary>
    internal Func<PgSession, CancellationToken, Task>? AfterApplyForTests { get; init; }

    public Task<long> GetBacklogAsync(CancellationToken cancellationToken) =>
        _capture is null ? Task.FromResult(0L) : _capture.BacklogAsync(Main, cancellationToken);

    // ---- verify -------------------------------------------------------------------------------

    public async Task<VerifyRoundResult> VerifyChunksAsync(IReadOnlyList<int>? chunks, CancellationToken cancellationToken)
    {
        _transcript.Step = "verify";
        var ids = chunks ?? Enumerable.Range(0, _ledger.Count).ToList();
        await TakeConsistentPointAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = _snapshot!;
        var twin = _snapshotTwin!;
        try
        {
            var mismatched = new List<int>();
            long rows = 0;
            foreach (var id in ids)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var chunk = _ledger[id];
                var args = RangeArgs(chunk.Lower, chunk.Upper);
                var hasLower = chunk.Lower is not null;
                var hasUpper = chunk.Upper is not null;
                var sourceQuery = snapshot.QueryAsync(Sql.SourceChecksum(hasLower, hasUpper), args, cancellationToken);
                var shadowQuery = twin.QueryAsync(Sql.ShadowChecksum(hasLower, hasUpper), args, cancellationToken);
                await Task.WhenAll(sourceQuery, shadowQuery).ConfigureAwait(false);
                var source = (await sourceQuery.ConfigureAwait(false))[0];
                var shadow = (await shadowQuery.ConfigureAwait(false))[0];
                rows += (long)source[0]!;
                if ((long)source[0]! != (long)shadow[0]! || (decimal)source[1]! != (decimal)shadow[1]!)
                {
                    mismatched.Add(id);
                }

                if (AfterVerifyChunk is { } pace)
                {
                    await pace(System.Diagnostics.Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
                }
            }

            await snapshot.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            await twin.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            return new VerifyRoundResult(ids.Count, rows, mismatched);
        }
        catch
        {
            await snapshot.RollbackQuietlyAsync().ConfigureAwait(false);
            await twin.RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A consistent point: hold SHARE on the original (writers wait; bounded), apply the log to
    /// empty, open a REPEATABLE READ snapshot on <c>_snapshot</c> and the same (exported) snapshot on
    /// <c>_snapshotTwin</c>, release. In that snapshot the shadow equals the original over the
    /// copied columns; both transactions are left open for the caller to read and commit.
    /// </summary>
    private async Task TakeConsistentPointAsync(CancellationToken cancellationToken)
    {
        _side ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        _snapshot ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        _snapshotTwin ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        await Capture.FenceAsync(_side, Main, applyInOwnTransaction: true, _captureOptions.CatchUpFenceTimeout, cancellationToken).ConfigureAwait(false);
        while (await ApplyChangesAsync(_options.ApplyBatchSize * 5, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        await LockForSnapshotAsync(cancellationToken).ConfigureAwait(false);
        string? snapshotId;
        try
        {
            while (await ApplyChangesAsync(_options.ApplyBatchSize * 5, cancellationToken).ConfigureAwait(false) > 0)
            {
            }

            await _snapshot.ExecuteAsync("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", null, cancellationToken).ConfigureAwait(false);
            snapshotId = await _snapshot.ScalarAsync<string>("SELECT pg_catalog.pg_export_snapshot()", null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _side.RollbackQuietlyAsync().ConfigureAwait(false);
        }

        // A second session imports the same snapshot, so the original's and the shadow's checksums
        // of a chunk are computed at the same time on two backends (two cores) yet see one state.
        try
        {
            await _snapshotTwin.ExecuteAsync("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", null, cancellationToken).ConfigureAwait(false);
            await _snapshotTwin.ExecuteAsync($"SET TRANSACTION SNAPSHOT {D.QuoteLiteral(snapshotId!)}", null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _snapshot.RollbackQuietlyAsync().ConfigureAwait(false);
            await _snapshotTwin.RollbackQuietlyAsync().ConfigureAwait(false);
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
            if (_capture is not null)
            {
                _capture.AppliedKeys = value;
            }
        }
    }

    public async Task<KeyVerifyResult> VerifyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        _transcript.Step = "verify changed rows";
        if (_captureOptions.IsLogical)
        {
            await TakeConsistentPointAsync(cancellationToken).ConfigureAwait(false);
            return await CompareAndCommitAsync(_snapshot!, _snapshotTwin!, keys, excludePending: false, cancellationToken).ConfigureAwait(false);
        }

        // Trigger capture needs no lock: keys still in the change log are judged later (PgKeyVerifier).
        _snapshot ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        await _snapshot.ExecuteAsync("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", null, cancellationToken).ConfigureAwait(false);
        return await CompareAndCommitAsync(_snapshot, _snapshot, keys, excludePending: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task RecopyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        _transcript.Step = "re-apply changed rows";
        await new PgKeyVerifier(Sql).RecopyAsync(Main, keys, cancellationToken).ConfigureAwait(false);
        if (AfterApplyForTests is { } hook)
        {
            await hook(Main, cancellationToken).ConfigureAwait(false);
        }
    }

    public string Describe(RowKey key) => new PgKeyVerifier(Sql).Describe(key);

    private async Task<KeyVerifyResult> CompareAndCommitAsync(PgSession source, PgSession shadow, IReadOnlyList<RowKey> keys, bool excludePending, CancellationToken cancellationToken)
    {
        try
        {
            var result = await PgKeyVerifier.CompareAsync(Sql, source, shadow, keys, excludePending, cancellationToken).ConfigureAwait(false);
            await source.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(source, shadow))
            {
                await shadow.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        catch
        {
            await source.RollbackQuietlyAsync().ConfigureAwait(false);
            await shadow.RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task LockForSnapshotAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ClearAutovacuumAsync(_side!, shadow: null, cancellationToken).ConfigureAwait(false);
                await _side!.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
                await _side.ExecuteAsync(PgObjects.LockTimeout(_options.CutOverLockTimeout), null, cancellationToken).ConfigureAwait(false);
                await _side.ExecuteAsync($"LOCK TABLE {Sql.Source} IN SHARE MODE", null, cancellationToken).ConfigureAwait(false);
                await Capture.FenceAsync(_side, Main, applyInOwnTransaction: true, _captureOptions.FenceTimeout, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PgFenceTimeoutException) when (attempt < _options.CutOverAttempts)
            {
                await _side!.RollbackQuietlyAsync().ConfigureAwait(false);
            }
            catch (PostgresException error) when (PgErrors.IsLockTimeout(error) && attempt < _options.CutOverAttempts)
            {
                await _side!.RollbackQuietlyAsync().ConfigureAwait(false);
                await Task.Delay(Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5)), cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException error) when (PgErrors.IsLockTimeout(error))
            {
                await _side!.RollbackQuietlyAsync().ConfigureAwait(false);
                throw new ShadowCopyException($"Verification could not get a consistent point: SHARE lock on {Table} not granted within {_options.CutOverLockTimeout.TotalMilliseconds:0} ms after {attempt} attempts. Nothing was swapped.", ExitCodes.VerificationFailed, error);
            }
        }
    }

    public async Task RecopyChunksAsync(IReadOnlyList<int> chunks, CancellationToken cancellationToken)
    {
        _transcript.Step = "re-copy";
        foreach (var id in chunks)
        {
            var chunk = _ledger[id];
            var args = RangeArgs(chunk.Lower, chunk.Upper);
            await Main.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
            try
            {
                await Main.ExecuteAsync(Sql.DeleteShadowRange(chunk.Lower is not null, chunk.Upper is not null), args, cancellationToken).ConfigureAwait(false);
                await CopyRangeAsync(Main, chunk.Lower, chunk.Upper, cancellationToken).ConfigureAwait(false);
                await Main.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await Main.RollbackQuietlyAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    // ---- cleanup ------------------------------------------------------------------------------

    public async Task CleanupAsync(CancellationToken cancellationToken)
    {
        _transcript.Step = "cleanup";
        if (_capture is not null)
        {
            await _capture.DisposeAsync().ConfigureAwait(false);
        }

        await CloseSideSessionsAsync().ConfigureAwait(false);
        if (_main is null || !_main.IsOpen)
        {
            if (_main is not null)
            {
                await _main.DisposeAsync().ConfigureAwait(false);
            }

            _main = await OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        await Main.RollbackQuietlyAsync().ConfigureAwait(false);
        if (_source is not null && _capture is not null && !_captureOptions.IsLogical)
        {
            // DROP TRIGGER takes ACCESS EXCLUSIVE on the original.
            await ClearAutovacuumAsync(Main, shadow: null, cancellationToken).ConfigureAwait(false);
        }

        await PgObjects.DropAllAsync(Main, Table, Names, _options.CutOverLockTimeout, 20, keepState: false, cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyList<PlannedStatement> DescribeUnexecutedSteps()
    {
        var plan = new List<PlannedStatement>(Capture.Describe())
        {
            new("re-copy of a chunk whose checksum differs (after deleting its range)", Sql.CopyRange(true, true), false),
        };
        plan.AddRange(_deferredIndexes.Select(d => new PlannedStatement("finish copy (indexes built after the copy)", d, false)));
        plan.Add(new("verify", $"LOCK TABLE {Sql.Source} IN SHARE MODE", false, "SHARE (blocks writes while the log drains), lock_timeout bounded"));
        plan.Add(new("verify (per chunk)", Sql.SourceChecksum(true, true), false));
        plan.Add(new("verify (per chunk)", Sql.ShadowChecksum(true, true), false));
        plan.AddRange(PgCutOver.Describe(this));
        return plan;
    }

    public async ValueTask DisposeAsync()
    {
        await CloseProbesAsync().ConfigureAwait(false);
        if (_capture is not null)
        {
            await _capture.DisposeAsync().ConfigureAwait(false);
        }

        await CloseSideSessionsAsync().ConfigureAwait(false);
        if (_main is not null)
        {
            await _main.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task CloseSideSessionsAsync()
    {
        await CloseCopyWorkersAsync().ConfigureAwait(false);
        if (_side is not null)
        {
            await _side.DisposeAsync().ConfigureAwait(false);
            _side = null;
        }

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

    private async Task<PgSession> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await PgSession.OpenAsync(_settings, _transcript, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (PgConnectErrors.IsConnectFailure(error) && !cancellationToken.IsCancellationRequested)
        {
            throw PgConnectErrors.ToException(_settings, error);
        }
    }
}
