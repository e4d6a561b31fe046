namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>Client/server capability bits (client/server protocol, "Capabilities Flags").</summary>
[Flags]
internal enum CapabilityFlags : uint
{
    None = 0,
    LongPassword = 1,
    FoundRows = 2,
    LongFlag = 4,
    ConnectWithDb = 8,
    Compress = 32,
    LocalFiles = 128,
    Protocol41 = 512,
    Interactive = 1024,
    Ssl = 2048,
    Transactions = 8192,
    SecureConnection = 32768,
    MultiStatements = 1 << 16,
    MultiResults = 1 << 17,
    PsMultiResults = 1 << 18,
    PluginAuth = 1 << 19,
    ConnectAttributes = 1 << 20,
    PluginAuthLengthEncodedClientData = 1 << 21,
    SessionTrack = 1 << 23,
    DeprecateEof = 1 << 24,
}
