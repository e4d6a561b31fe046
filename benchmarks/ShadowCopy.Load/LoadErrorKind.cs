namespace ShadowCopy.Load;

/// <summary>How a failed load transaction is counted in the summary line.</summary>
internal enum LoadErrorKind
{
    /// <summary>Anything unexpected: counted in errors, first message kept.</summary>
    Other,

    /// <summary>A lock wait timeout or a lock-timeout cancel (PostgreSQL 55P03/57014, MySQL 1205).</summary>
    LockWait,

    /// <summary>Chosen as a deadlock victim (PostgreSQL 40P01, MySQL 1213): an application would retry.</summary>
    Deadlock,
}
