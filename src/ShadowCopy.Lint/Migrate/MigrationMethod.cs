namespace ShadowCopy.Lint.Migrate;

/// <summary>How <c>shadowcopy migrate</c> runs one statement (docs/adr/0032-migrate.md).</summary>
public enum MigrationMethod
{
    /// <summary>The statement itself, in its own transaction, with a bounded lock wait, retried on lock timeouts.</summary>
    Native,

    /// <summary>PostgreSQL: CREATE/DROP INDEX CONCURRENTLY, outside any transaction.</summary>
    ConcurrentIndex,

    /// <summary>MySQL/MariaDB: the index statement with ALGORITHM=INPLACE, LOCK=NONE.</summary>
    OnlineIndex,

    /// <summary>The online shadow copy of <c>shadowcopy alter --execute</c>.</summary>
    OnlineCopy,

    /// <summary>Key-range batches of <c>shadowcopy backfill</c>.</summary>
    Backfill,

    /// <summary>Not run: a SET of a lock or statement timeout (migrate bounds every wait itself).</summary>
    Skip,

    /// <summary>--resume: done by an earlier run of this migration (not planned or run again).</summary>
    DoneBefore,

    /// <summary>Dry run only: the server can judge it only after an earlier statement of the file has run.</summary>
    DecidedWhenRun,
}
