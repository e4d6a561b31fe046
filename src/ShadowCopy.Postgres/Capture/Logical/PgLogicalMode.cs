using ShadowCopy.Core.Model;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Preflight;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Capture.Logical;

/// <summary>Logical capture (ADR 0007): a publication and a pgoutput slot; rows are identified by the replica identity.</summary>
internal sealed class PgLogicalMode(PgCaptureOptions options) : IPgCaptureMode
{
    public string Name => "logical";

    public bool SeesPendingKeys => false;

    public bool CleanupLocksTable => false;

    public Task PreflightAsync(PgSession main, PgTable source, bool needsNewSlot, CancellationToken cancellationToken) =>
        PgPreflight.CheckLogicalAsync(main, source, options, needsNewSlot, cancellationToken);

    /// <summary>Logical capture identifies rows by the replica identity: make that index the key.</summary>
    public string? KeyIndex(PgTable source) =>
        source.ReplicaIdentity == "i" ? source.Indexes.FirstOrDefault(i => i.IsReplicaIdentity)?.Name : null;

    public IPgCapture Create(PgRun run, PgStatements sql) =>
        new PgLogicalCapture(run.Settings, run.Table, sql, run.Mapping!, options);

    public async Task CheckResumableAsync(PgRun run, string restartAdvice, CancellationToken cancellationToken)
    {
        var (main, table) = (run.Main, run.Table);
        var slot = PgLogicalNames.Slot(table);
        if ((await main.QueryAsync(PgObjects.PublicationSql, [PgLogicalNames.Publication(table)], cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            throw Refuse($"Publication {PgLogicalNames.Publication(table)} of the earlier run is gone. {restartAdvice}");
        }

        // A killed run's walsender may take a moment to notice its client is gone; another live run
        // on the same table would hold the slot for good — never take it over.
        for (var attempt = 0; ; attempt++)
        {
            var rows = await main.QueryAsync(
                "SELECT active_pid, coalesce(wal_status, ''), confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
                [slot],
                cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                throw Refuse($"Replication slot {slot} of the earlier run is gone: the changes since its last checkpoint are lost to us. {restartAdvice}");
            }

            if ((string)rows[0][1]! == "lost")
            {
                throw Refuse($"Replication slot {slot} was invalidated (wal_status lost: the WAL it needed was removed, e.g. by max_slot_wal_keep_size). {restartAdvice}");
            }

            if (rows[0][0] is not int pid)
            {
                return;
            }

            if (attempt >= 50)
            {
                throw Refuse($"Replication slot {slot} is in use by backend {pid}: another run on {table} may still be active. Stop it first; if none is, wait and retry.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private static PreflightRefusedException Refuse(string message) => new(RefusalReason.ResumeNotPossible, message);
}
