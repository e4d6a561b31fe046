using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Payloads;

/// <summary>Examples from the client/server protocol documentation (packet headers stripped).</summary>
public sealed class PayloadTests
{
    [Fact]
    public void InitialHandshake_documented_example_parses()
    {
        var payload = Hex.Bytes("0a 35 2e 35 2e 32 2d 6d 32 00 0b 00 00 00 64 76 48 40 49 2d 43 4a 00 ff f7 08 02 00 0f 80 15 00 00 00 00 00 00 00 00 00 00 2a 34 64 7c 63 5a 77 6b 34 5e 5d 3a 00");
        var handshake = InitialHandshakePayload.Parse(payload);
        Assert.Equal("5.5.2-m2", handshake.ServerVersion);
        Assert.Equal(11u, handshake.ConnectionId);
        Assert.Equal(20, handshake.Scramble.Length);
        Assert.Equal("dvH@I-CJ*4d|cZwk4^]:"u8.ToArray(), handshake.Scramble);
        Assert.True((handshake.Capabilities & CapabilityFlags.Protocol41) != 0);
        Assert.Equal(MySqlServerStatus.AutoCommit, handshake.Status);
        Assert.Equal("mysql_native_password", handshake.AuthPluginName);
        Assert.False(handshake.IsMariaDb);
    }

    [Fact]
    public void InitialHandshake_with_plugin_name_reads_plugin()
    {
        var handshake = InitialHandshakePayload.Parse(Packets.Handshake("10.11.6-MariaDB", "caching_sha2_password", FakeSession.Scramble, ssl: true));
        Assert.Equal("caching_sha2_password", handshake.AuthPluginName);
        Assert.True(handshake.IsMariaDb);
        Assert.True((handshake.Capabilities & CapabilityFlags.Ssl) != 0);
        Assert.Equal(FakeSession.Scramble, handshake.Scramble);
    }

    [Fact]
    public void InitialHandshake_protocol_v9_is_rejected()
    {
        Assert.Throws<MySqlProtocolException>(() => InitialHandshakePayload.Parse(Hex.Bytes("09 35 00 01 00 00 00 61 62 63 64 65 66 67 68 00")));
    }

    [Fact]
    public void InitialHandshake_error_packet_throws_server_exception()
    {
        var error = Assert.Throws<MySqlServerException>(() => InitialHandshakePayload.Parse(Packets.Error(1040, "08004", "Too many connections")));
        Assert.Equal(1040, error.ErrorCode);
    }

    [Fact]
    public void Ok_documented_example_parses()
    {
        var ok = OkPayload.Parse(Hex.Bytes("00 00 00 02 00 00 00"));
        Assert.Equal(0UL, ok.AffectedRows);
        Assert.Equal(MySqlServerStatus.AutoCommit, ok.Status);
        Assert.Equal(0, ok.Warnings);
    }

    [Fact]
    public void Ok_with_lenenc_counts_and_info_parses()
    {
        var ok = OkPayload.Parse(Hex.Bytes("00 fc 10 27 fd 40 42 0f 0a 02 01 00 52 6f 77 73"));
        Assert.Equal(10000UL, ok.AffectedRows);
        Assert.Equal(1000000UL, ok.LastInsertId);
        Assert.Equal(MySqlServerStatus.AutoCommit | MySqlServerStatus.MoreResultsExist | MySqlServerStatus.NoBackslashEscapes, ok.Status);
        Assert.Equal(1, ok.Warnings);
        Assert.Equal("Rows", ok.Info);
    }

    [Fact]
    public void Error_documented_example_parses()
    {
        var error = ErrorPayload.Parse(Hex.Bytes("ff 48 04 23 48 59 30 30 30 4e 6f 20 74 61 62 6c 65 73 20 75 73 65 64"));
        Assert.Equal(1096, error.ErrorCode);
        Assert.Equal("HY000", error.SqlState);
        Assert.Equal("No tables used", error.Message);
        var exception = error.ToException();
        Assert.Equal(1096, exception.ErrorCode);
    }

    [Fact]
    public void Error_without_sql_state_marker_defaults_state()
    {
        var error = ErrorPayload.Parse(Hex.Bytes("ff 10 04 42 61 64"));
        Assert.Equal(1040, error.ErrorCode);
        Assert.Equal("HY000", error.SqlState);
        Assert.Equal("Bad", error.Message);
    }

    [Fact]
    public void AuthSwitchRequest_parses_plugin_and_strips_nul()
    {
        var request = AuthSwitchRequestPayload.Parse(Packets.AuthSwitch("mysql_native_password", FakeSession.Scramble));
        Assert.Equal("mysql_native_password", request.PluginName);
        Assert.Equal(FakeSession.Scramble, request.Data);
    }

    [Fact]
    public void HandshakeResponse_layout_matches_protocol()
    {
        var caps = CapabilityFlags.Protocol41 | CapabilityFlags.SecureConnection | CapabilityFlags.PluginAuth | CapabilityFlags.PluginAuthLengthEncodedClientData | CapabilityFlags.ConnectWithDb;
        var bytes = HandshakeResponsePayload.Create(caps, "u", [0xAA, 0xBB], "db", "mysql_native_password");
        var expected = Hex.Bytes("08 82 28 00 00 00 00 40 2d" + string.Concat(Enumerable.Repeat(" 00", 23)) + " 75 00 02 aa bb 64 62 00")
            .Concat("mysql_native_password\0"u8.ToArray()).ToArray();
        Assert.Equal(expected, bytes);
        Assert.Equal(expected[..32], HandshakeResponsePayload.CreateSslRequest(caps));
    }
}
