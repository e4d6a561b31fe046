using System.Text;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>QUERY_EVENT: a statement (BEGIN, COMMIT, DDL, statement-based DML).</summary>
public sealed class QueryEvent : BinlogEvent
{
    internal QueryEvent(BinlogEventHeader header, uint threadId, uint executionTime, ushort errorCode, string databaseName, string sql)
        : base(header)
    {
        ThreadId = threadId;
        ExecutionTime = executionTime;
        ErrorCode = errorCode;
        DatabaseName = databaseName;
        Sql = sql;
    }

    public uint ThreadId { get; }

    public uint ExecutionTime { get; }

    public ushort ErrorCode { get; }

    public string DatabaseName { get; }

    public string Sql { get; }

    public bool IsBegin => Sql.Equals("BEGIN", StringComparison.OrdinalIgnoreCase);

    public bool IsCommit => Sql.Equals("COMMIT", StringComparison.OrdinalIgnoreCase);

    public bool IsRollback => Sql.Equals("ROLLBACK", StringComparison.OrdinalIgnoreCase);

    /// <summary>Post-header: thread id(4), exec time(4), db length(1), error code(2), status vars length(2).</summary>
    internal static QueryEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> body, int postHeaderLength)
    {
        var reader = new PacketReader(body);
        var threadId = reader.ReadUInt32();
        var executionTime = reader.ReadUInt32();
        var databaseLength = reader.ReadByte();
        var errorCode = reader.ReadUInt16();
        var statusLength = postHeaderLength >= 13 ? reader.ReadUInt16() : 0;
        reader.Skip(Math.Max(0, postHeaderLength - 13));
        reader.Skip(statusLength);
        var database = Encoding.UTF8.GetString(reader.ReadSpan(databaseLength));
        reader.ReadByte(); // NUL after the database name
        var sql = Encoding.UTF8.GetString(reader.ReadRemaining());
        return new QueryEvent(header, threadId, executionTime, errorCode, database, sql);
    }
}
