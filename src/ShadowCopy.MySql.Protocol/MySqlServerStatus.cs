namespace ShadowCopy.MySql.Protocol;

/// <summary>Server status flags carried by OK and EOF packets.</summary>
[Flags]
public enum MySqlServerStatus
{
    None = 0,
    InTransaction = 1,
    AutoCommit = 2,
    MoreResultsExist = 8,
    NoGoodIndexUsed = 16,
    NoIndexUsed = 32,
    CursorExists = 64,
    LastRowSent = 128,
    DatabaseDropped = 256,
    NoBackslashEscapes = 512,
    MetadataChanged = 1024,
    QueryWasSlow = 2048,
    PsOutParams = 4096,
    InReadOnlyTransaction = 8192,
    SessionStateChanged = 16384,
}
