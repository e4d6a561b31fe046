namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>Binlog event type codes (MySQL Log_event_type, MariaDB additions from 160).</summary>
public enum BinlogEventType : byte
{
    Unknown = 0,
    StartV3 = 1,
    Query = 2,
    Stop = 3,
    Rotate = 4,
    Intvar = 5,
    Rand = 13,
    UserVar = 14,
    FormatDescription = 15,
    Xid = 16,
    TableMap = 19,
    WriteRowsV1 = 23,
    UpdateRowsV1 = 24,
    DeleteRowsV1 = 25,
    Incident = 26,
    Heartbeat = 27,
    RowsQuery = 29,
    WriteRowsV2 = 30,
    UpdateRowsV2 = 31,
    DeleteRowsV2 = 32,
    Gtid = 33,
    AnonymousGtid = 34,
    PreviousGtids = 35,
    TransactionContext = 36,
    ViewChange = 37,
    XaPrepare = 38,
    PartialUpdateRows = 39,
    TransactionPayload = 40,
    HeartbeatV2 = 41,
    MariaDbAnnotateRows = 160,
    MariaDbBinlogCheckpoint = 161,
    MariaDbGtid = 162,
    MariaDbGtidList = 163,
    MariaDbStartEncryption = 164,
    MariaDbQueryCompressed = 165,
    MariaDbWriteRowsCompressedV1 = 169,
    MariaDbUpdateRowsCompressedV1 = 170,
    MariaDbDeleteRowsCompressedV1 = 171,
}

/// <summary>Classification helpers for <see cref="BinlogEventType"/>.</summary>
public static class BinlogEventTypeExtensions
{
    /// <summary>WRITE/UPDATE/DELETE_ROWS, version 1 or 2.</summary>
    public static bool IsRowsEvent(this BinlogEventType type) =>
        type is BinlogEventType.WriteRowsV1 or BinlogEventType.UpdateRowsV1 or BinlogEventType.DeleteRowsV1
            or BinlogEventType.WriteRowsV2 or BinlogEventType.UpdateRowsV2 or BinlogEventType.DeleteRowsV2;
}
