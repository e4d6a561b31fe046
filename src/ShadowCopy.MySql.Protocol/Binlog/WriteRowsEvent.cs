namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>WRITE_ROWS (v1 23, v2 30): inserted rows in After.</summary>
public sealed class WriteRowsEvent : RowsEvent
{
    internal WriteRowsEvent(BinlogEventHeader header, TableMapEvent table, ushort flags, bool[] includedColumns, bool[]? includedColumnsAfter, BinlogRowChange[] rows)
        : base(header, table, flags, includedColumns, includedColumnsAfter, rows)
    {
    }
}
