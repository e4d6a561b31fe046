namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>A decoded binlog event with the position to resume from after it.</summary>
public abstract class BinlogEvent
{
    protected BinlogEvent(BinlogEventHeader header)
    {
        Header = header;
    }

    public BinlogEventHeader Header { get; }

    public BinlogEventType EventType => Header.EventType;

    /// <summary>Position just after this event (file, offset, GTID state of completed transactions).</summary>
    public BinlogPosition Position { get; internal set; } = new(string.Empty, 0);

    /// <summary>
    /// True when this event completes a transaction (XID, COMMIT, a DDL or other standalone statement):
    /// acknowledging <see cref="Position"/> of such an event never splits a transaction.
    /// </summary>
    public bool IsTransactionEnd { get; internal set; }

    public override string ToString() => $"{EventType} @ {Position}";
}
