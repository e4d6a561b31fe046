namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>One changed row: <see cref="Before"/> is null for inserts, <see cref="After"/> is null for deletes.</summary>
public sealed record BinlogRowChange(BinlogRow? Before, BinlogRow? After);
