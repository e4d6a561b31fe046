namespace ShadowCopy.Lint.Plan;

/// <summary>What the server did with the ALTER on an empty clone, cheapest first.</summary>
public enum DdlCost
{
    /// <summary>PostgreSQL: no rewrite; MySQL/MariaDB: ALGORITHM=INSTANT accepted.</summary>
    MetadataOnly,

    /// <summary>MariaDB ALGORITHM=NOCOPY (or PostgreSQL work that reads but does not rewrite): online, no table rebuild.</summary>
    InplaceNoRebuild,

    /// <summary>MySQL/MariaDB ALGORITHM=INPLACE, LOCK=NONE: writes continue, the table is rebuilt.</summary>
    InplaceRebuild,

    /// <summary>PostgreSQL: relfilenode changed; MySQL/MariaDB: only ALGORITHM=COPY works (writes blocked).</summary>
    Rewrite,

    /// <summary>The server rejected the ALTER itself.</summary>
    Failed,
}
