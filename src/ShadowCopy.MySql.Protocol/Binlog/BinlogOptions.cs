namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>Options of a binlog replication stream.</summary>
public sealed record BinlogOptions
{
    /// <summary>Replica server id; must differ from the source's and from every other replica's.</summary>
    public uint ServerId { get; init; } = 0x5C0F_0001;

    /// <summary>Heartbeat period requested from the server when idle; zero disables heartbeats.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Read timeout; defaults to three heartbeat periods (or infinite without heartbeats).</summary>
    public TimeSpan? ReadTimeout { get; init; }

    /// <summary>Stop at the end of the binlog instead of waiting for new events (BINLOG_DUMP_NON_BLOCK).</summary>
    public bool StopAtEnd { get; init; }

    /// <summary>Resume by GTID (when the start position carries a GTID set) instead of file/position.</summary>
    public bool UseGtid { get; init; }

    /// <summary>Verify CRC32 event checksums when the server writes them.</summary>
    public bool VerifyChecksum { get; init; } = true;

    /// <summary>Reconnect attempts after a transport failure (0 disables reconnection).</summary>
    public int MaxReconnectAttempts { get; init; } = 5;

    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Which tables' row events to decode, by (database, table) of their TABLE_MAP; null decodes all.
    /// Row events of other tables are skipped undecoded (checksum verified, position counted), like
    /// any other skipped event: an online schema change reads its own copy's rows back through the
    /// stream, and decoding them costs the client more CPU than everything else it does.
    /// </summary>
    public Func<string, string, bool>? IncludeTable { get; init; }
}
