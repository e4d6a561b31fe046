using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Capture.Binlog;
using ShadowCopy.MySql.Capture.Trigger;
using ShadowCopy.MySql.Copy;
using ShadowCopy.MySql.State;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Capture;

/// <summary>
/// One capture mode (<see cref="CaptureMode"/>): what the phases of a run ask of the way changes
/// reach the shadow, so that none of them branches on the mode. <see cref="MySqlBinlogMode"/> reads
/// the replication stream; <see cref="MySqlTriggerMode"/> logs changed keys by triggers.
/// </summary>
internal interface IMySqlCapture
{
    /// <summary>The replication stream (binlog mode; null otherwise).</summary>
    MySqlBinlogCapture? Binlog { get; }

    /// <summary>Our trigger capture with its key log (null in binlog mode, before the capture starts and under alter --via).</summary>
    MySqlTriggerCapture? Triggers { get; }

    /// <summary>Whether the run installs capture triggers of its own on the table (preflight of the user's triggers).</summary>
    bool InstallsTriggers { get; }

    /// <summary>Whether every chunk copy reads without row locks (the applier re-copies what changed since).</summary>
    bool CopiesWithoutLocks { get; }

    /// <summary>For the status line (binlog lag and position); null: nothing to tell.</summary>
    string? Detail { get; }

    /// <summary>Receives the keys of every committed apply batch (delta verification, ADR 0019).</summary>
    DirtyKeySet? AppliedKeys { set; }

    /// <summary>Where a resumed capture restarts (the checkpoint's binlog position); null: the capture's own log is the queue.</summary>
    BinlogPosition? CheckpointPosition { get; }

    /// <summary>Preflight: the server settings and privileges the capture needs.</summary>
    Task CheckServerAsync(MySqlSession main, CancellationToken cancellationToken);

    /// <summary>Starts capturing before the first chunk, then prepares the copy's session.</summary>
    Task StartAsync(MySqlChunkCopier copier, CancellationToken cancellationToken);

    /// <summary>--resume: refuses (with <paramref name="refuse"/>) when the capture cannot continue from <paramref name="stored"/>.</summary>
    Task CheckResumableAsync(MySqlCheckpoint stored, Func<string, Exception> refuse, CancellationToken cancellationToken);

    /// <summary>--resume: re-attaches to the capture of the killed run, then prepares the copy's session.</summary>
    Task ResumeAsync(MySqlCheckpoint stored, MySqlChunkCopier copier, CancellationToken cancellationToken);

    Task<long> ApplyAsync(int maxChanges, CancellationToken cancellationToken);

    Task<long> BacklogAsync(CancellationToken cancellationToken);

    /// <summary>Prepares a --threads worker's session.</summary>
    Task PrepareCopyWorkerAsync(MySqlSession session, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the verification's snapshot(s) at a point where the shadow equals the original.
    /// Returns the twin session that reads the shadow (null: the snapshot reads both) and whether
    /// the keys the capture still holds must be left out of the checksums.
    /// </summary>
    Task<(MySqlSession? Twin, bool ExcludePending)> OpenVerificationAsync(MySqlSession snapshot, CancellationToken cancellationToken);

    /// <summary>Opens a consistent snapshot on each of <paramref name="snapshots"/> where the shadow equals the original (delta verification).</summary>
    Task TakeConsistentPointAsync(IReadOnlyList<MySqlSession> snapshots, CancellationToken cancellationToken);

    /// <summary>The dry run's lines for installing the capture, applying, and copying.</summary>
    IEnumerable<PlannedStatement> Describe();

    Task StopAsync();
}
