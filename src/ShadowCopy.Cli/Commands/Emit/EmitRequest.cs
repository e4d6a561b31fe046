namespace ShadowCopy.Cli.Commands.Emit;

/// <summary>Our options, already validated, in the units we use; the builders translate them.</summary>
internal sealed record EmitRequest(
    string Host,
    int Port,
    string? Socket,
    string User,
    string Database,
    string Table,
    string Alter,
    int? ChunkSize,
    TimeSpan? ChunkTime,
    string? MaxLoad,
    string? CriticalLoad,
    TimeSpan? MaxLag,
    IReadOnlyList<string> Replicas,
    string? ThrottleFlagFile,
    string? PostponeCutOverFlagFile,
    TimeSpan? CutOverLockTimeout,
    int? MaxRowsPerSecond,
    bool DropOldTable,
    bool Execute);
