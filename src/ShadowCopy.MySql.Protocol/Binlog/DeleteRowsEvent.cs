namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>DELETE_ROWS (v1 25, v2 32): deleted rows in Before.</summary>
public sealed class DeleteRowsEvent : RowsEvent
{
    internal DeleteRowsEvent(BinlogEventHeader header, TableMapEvent table, ushort flags, bool[] includedColumns, bool[]? includedColumnsAfter, BinlogRowChange[] rows)
        : base(header, table, flags, includedColumns, includedColumnsAfter, rows)
    {
    }
}
