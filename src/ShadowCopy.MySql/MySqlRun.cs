using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.CutOver;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// What the phases of one MySQL/MariaDB online ALTER share (<see cref="MySqlAlterBackend"/> is the
/// facade over them): settings and options, the helper names, the main session and the
/// verification snapshots, the mapping and the statements built from it, the chunk ledger, the
/// transcript of executed statements, and the test seams.
/// </summary>
internal sealed class MySqlRun
{
    private MySqlSession? _main;
    private MySqlStatements? _sql;

    public MySqlRun(MySqlSettings settings, AlterOptions options, CaptureMode capture, ILogger logger, HelperObjectNames? names)
    {
        Settings = settings;
        Options = options;
        Logger = logger;
        Capture = capture;

        // A real run of days must not keep every statement (trigger mode: every row as VALUES text).
        Transcript.Enabled = !options.Execute;
        Names = names ?? HelperObjectNames.For(options.Table.Name, MySqlDialect.Instance.MaxIdentifierBytes);
        ExternalTool = names is not null;
    }

    public MySqlSettings Settings { get; }

    public AlterOptions Options { get; }

    public ILogger Logger { get; }

    public CaptureMode Capture { get; }

    public HelperObjectNames Names { get; }

    /// <summary>alter --via: another tool creates, fills and keeps the shadow in step; we verify and swap.</summary>
    public bool ExternalTool { get; }

    public SqlTranscript Transcript { get; } = new();

    public ChunkLedger Ledger { get; } = new();

    public List<string> Warnings { get; } = [];

    public TableName Table => Options.Table;

    public MySqlSession MainSession => _main ?? throw new InvalidOperationException("not connected");

    public MySqlStatements Statements
    {
        get => _sql ?? throw new InvalidOperationException("shadow not created yet");
        set => _sql = value;
    }

    /// <summary>The verification's snapshot session and, in binlog mode, its twin on the shadow.</summary>
    public MySqlSession? Snapshot { get; set; }

    public MySqlSession? SnapshotTwin { get; set; }

    public MyTable? Source { get; set; }

    public MyMapping? Mapping { get; set; }

    /// <summary>The user's ALTER, validated.</summary>
    public string? Alter { get; set; }

    /// <summary>The original's definition the shadow is built from; --resume refuses if it changes.</summary>
    public string? Fingerprint { get; set; }

    public IReadOnlyList<(string Name, string Clause)> DeferredIndexes { get; set; } = [];

    public IReadOnlyList<MySqlSettings>? Replicas { get; set; }

    public DirtyKeySet? AppliedKeys { get; set; }

    /// <summary>The keys moved across the swap (ADR 0026); null under alter --via.</summary>
    public MySqlForeignKeys? ForeignKeys { get; set; }

    /// <summary>Binlog cut-over: row changes that reached the old table between drain and swap (null: not known).</summary>
    public long? ChangesAfterDrain { get; set; }

    /// <summary>Replaces the server-settings probe of the binlog preflight (tests of the refusal without changing globals).</summary>
    public Func<MySqlSession, CancellationToken, Task>? BinlogCheckOverride { get; set; }

    /// <summary>Replaces the start of a verification snapshot (alter --via gh-ost: a settle pause under LOCK TABLES … READ).</summary>
    public Func<MySqlSession, CancellationToken, Task>? VerifyPointOverride { get; set; }

    /// <summary>Whether the server reports a consistent snapshot's binlog position (MariaDB); null until first asked.</summary>
    public bool? SnapshotReportsBinlogPosition { get; set; }

    /// <summary>Test seam: take the verification point under the lock even where the server allows none (MySQL's path on MariaDB).</summary>
    public bool VerifyWithLockForTests { get; set; }

    /// <summary>Test seam: runs while the cut-over's RENAME waits and before the go token exists (argument: the RENAME's connection id).</summary>
    public Func<uint, Task>? BeforeGoTokenForTests { get; set; }

    /// <summary>Test seam: runs after the go token exists and before A's UNLOCK, with the RENAME's connection id.</summary>
    public Func<uint, Task>? AfterGoTokenForTests { get; set; }

    /// <summary>Test seam: runs inside every apply batch and every re-apply after its rows reached the shadow (a deliberately wrong conversion).</summary>
    public Func<MySqlSession, IReadOnlyList<RowKey>, CancellationToken, Task>? AfterApplyForTests { get; set; }

    /// <summary>Opens the main session (preflight).</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken) =>
        _main = await OpenAsync(cancellationToken).ConfigureAwait(false);

    public async Task EnsureMainAsync(CancellationToken cancellationToken)
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

    public async Task<MySqlSession> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await MySqlSession.OpenAsync(Settings, Transcript, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is MySqlIOException or MySqlTimeoutException or MySqlServerException && !cancellationToken.IsCancellationRequested)
        {
            throw MySqlConnectErrors.ToException(Settings, error);
        }
    }

    public async Task CloseSnapshotAsync()
    {
        if (Snapshot is not null)
        {
            await Snapshot.DisposeAsync().ConfigureAwait(false);
            Snapshot = null;
        }

        if (SnapshotTwin is not null)
        {
            await SnapshotTwin.DisposeAsync().ConfigureAwait(false);
            SnapshotTwin = null;
        }
    }

    public async Task CloseMainAsync()
    {
        if (_main is not null)
        {
            await _main.DisposeAsync().ConfigureAwait(false);
        }
    }
}
