namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// Where the stream stands: file and offset of the next event, and the GTID state (MySQL executed GTID set
/// text, or MariaDB gtid_binlog_pos-style "domain-server-seq,...") when known. Resume from it with
/// <see cref="BinlogClient.ReadEventsAsync"/>.
/// </summary>
public sealed record BinlogPosition(string FileName, long Position, string? GtidSet = null)
{
    public override string ToString() => GtidSet is null ? $"{FileName}:{Position}" : $"{FileName}:{Position} gtid={GtidSet}";
}
