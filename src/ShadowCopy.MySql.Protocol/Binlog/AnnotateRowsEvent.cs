using System.Text;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>The statement behind the following row events: MariaDB ANNOTATE_ROWS (160) or MySQL ROWS_QUERY (29).</summary>
public sealed class AnnotateRowsEvent : BinlogEvent
{
    internal AnnotateRowsEvent(BinlogEventHeader header, string sql)
        : base(header)
    {
        Sql = sql;
    }

    public string Sql { get; }

    internal static AnnotateRowsEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> body)
    {
        // MySQL's ROWS_QUERY starts with a (truncated, unused) one-byte length.
        var text = header.EventType == BinlogEventType.RowsQuery && body.Length > 0 ? body[1..] : body;
        return new AnnotateRowsEvent(header, Encoding.UTF8.GetString(text));
    }
}
