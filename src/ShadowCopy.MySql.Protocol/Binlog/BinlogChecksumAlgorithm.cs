namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>binlog_checksum algorithm announced by the FORMAT_DESCRIPTION event.</summary>
public enum BinlogChecksumAlgorithm : byte
{
    Off = 0,
    Crc32 = 1,
    Undefined = 255,
}
