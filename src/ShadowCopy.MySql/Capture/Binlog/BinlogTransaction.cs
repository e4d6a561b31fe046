using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Capture.Binlog;

/// <summary>The row changes of one source transaction to our table, in binlog order, and where it ends.</summary>
internal sealed record BinlogTransaction(IReadOnlyList<BinlogRowChange> Changes, BinlogPosition End);
