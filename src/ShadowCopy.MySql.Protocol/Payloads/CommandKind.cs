namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>Command bytes (client/server protocol, "Command Phase").</summary>
internal enum CommandKind : byte
{
    Quit = 0x01,
    InitDb = 0x02,
    Query = 0x03,
    Ping = 0x0E,
    BinlogDump = 0x12,
    RegisterSlave = 0x15,
    BinlogDumpGtid = 0x1E,
}
