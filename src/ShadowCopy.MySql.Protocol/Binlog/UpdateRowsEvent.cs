namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>UPDATE_ROWS (v1 24, v2 31): Before and After images.</summary>
public sealed class UpdateRowsEvent : RowsEvent
{
    internal UpdateRowsEvent(BinlogEventHeader header, TableMapEvent table, ushort flags, bool[] includedColumns, bool[]? includedColumnsAfter, BinlogRowChange[] rows)
        : base(header, table, flags, includedColumns, includedColumnsAfter, rows)
    {
    }
}
