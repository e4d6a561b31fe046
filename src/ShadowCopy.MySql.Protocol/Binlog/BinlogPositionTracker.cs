namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// Follows file/offset and GTID state event by event and marks transaction ends: XID, COMMIT/ROLLBACK,
/// and statements outside BEGIN (DDL; MariaDB standalone GTID groups).
/// </summary>
internal sealed class BinlogPositionTracker
{
    private readonly MySqlGtidSet? _mysqlGtids;
    private readonly MariaDbGtidState? _mariaDbGtids;
    private string _file;
    private long _position;
    private bool _inTransaction;
    private GtidEvent? _pendingMySqlGtid;
    private MariaDbGtidEvent? _pendingMariaDbGtid;

    public BinlogPositionTracker(BinlogPosition start, bool isMariaDb)
    {
        _file = start.FileName;
        _position = start.Position;
        if (isMariaDb)
        {
            _mariaDbGtids = MariaDbGtidState.Parse(start.GtidSet ?? string.Empty);
        }
        else
        {
            _mysqlGtids = MySqlGtidSet.Parse(start.GtidSet ?? string.Empty);
        }

        LastTransactionEnd = start;
        HasGtidState = start.GtidSet is not null;
    }

    /// <summary>Position after the last completed transaction: a safe place to resume.</summary>
    public BinlogPosition LastTransactionEnd { get; private set; }

    private bool HasGtidState { get; set; }

    public BinlogPosition Current => new(_file, _position, GtidText());

    /// <summary>Advances past one event (skipped events pass null) and stamps its position and transaction-end flag.</summary>
    public void Advance(BinlogEventHeader header, BinlogEvent? binlogEvent)
    {
        if (binlogEvent is RotateEvent rotate)
        {
            _file = rotate.NextFileName;
            _position = (long)rotate.NextPosition;
        }
        else if (header.NextPosition > _position && header.EventType is not BinlogEventType.Heartbeat and not BinlogEventType.HeartbeatV2)
        {
            // Within a file positions only grow; the FORMAT_DESCRIPTION replayed at the start of a dump may carry an earlier one.
            _position = header.NextPosition;
        }

        var ends = false;
        switch (binlogEvent)
        {
            case GtidEvent gtid:
                _pendingMySqlGtid = gtid.IsAnonymous ? null : gtid;
                break;
            case MariaDbGtidEvent gtid:
                _pendingMariaDbGtid = gtid;
                _inTransaction = !gtid.IsStandalone;
                break;
            case QueryEvent { IsBegin: true }:
                _inTransaction = true;
                break;
            case QueryEvent query when query.IsCommit || query.IsRollback:
                ends = true;
                break;
            case QueryEvent:
                ends = !_inTransaction;
                break;
            case XidEvent:
                ends = true;
                break;
            default:
                break;
        }

        if (ends)
        {
            CompleteTransaction();
        }

        if (binlogEvent is not null)
        {
            binlogEvent.Position = Current;
            binlogEvent.IsTransactionEnd = ends;
            if (ends)
            {
                LastTransactionEnd = binlogEvent.Position;
            }
        }
    }

    private void CompleteTransaction()
    {
        if (_pendingMySqlGtid is { } mysql)
        {
            _mysqlGtids?.Add(mysql.SourceId, mysql.TransactionNumber);
            HasGtidState = true;
        }

        if (_pendingMariaDbGtid is { } maria)
        {
            _mariaDbGtids?.Set(maria.DomainId, maria.Header.ServerId, maria.SequenceNumber);
            HasGtidState = true;
        }

        _pendingMySqlGtid = null;
        _pendingMariaDbGtid = null;
        _inTransaction = false;
    }

    private string? GtidText() => HasGtidState ? (_mariaDbGtids?.ToString() ?? _mysqlGtids?.ToString()) : null;
}
