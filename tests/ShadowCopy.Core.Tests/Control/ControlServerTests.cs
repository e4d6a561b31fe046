using System.Net.Sockets;
using System.Text;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Core.Tests.Control;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ControlServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sc-ctl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunControl NewControl() => new(new AlterOptions { Table = new TableName("public", "orders"), Alter = "ADD COLUMN n int" });

    private string SocketPath => Path.Combine(_dir, "run.sock");

    [Fact]
    public async Task StartAsync_round_trip_applies_the_command_and_replies()
    {
        var control = NewControl();
        await using var server = await ControlServer.StartAsync(SocketPath, control);

        var reply = await ControlClient.SendAsync(SocketPath, "chunk-size=42", TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.StartsWith("ok:", reply, StringComparison.Ordinal);
        Assert.Equal(42, control.TakeRequestedChunkSize());
        Assert.StartsWith("error:", await ControlClient.SendAsync(SocketPath, "nonsense", TimeSpan.FromSeconds(5), CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_socket_is_owner_only_and_removed_on_dispose()
    {
        var server = await ControlServer.StartAsync(SocketPath, NewControl());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));

        await server.DisposeAsync();
        Assert.False(File.Exists(SocketPath));
    }

    [Fact]
    public async Task StartAsync_live_server_on_the_path_refuses_the_second_run()
    {
        await using var first = await ControlServer.StartAsync(SocketPath, NewControl());

        var refused = await Assert.ThrowsAsync<ControlSocketInUseException>(() => ControlServer.StartAsync(SocketPath, NewControl()));

        Assert.Equal(ExitCodes.NameConflict, refused.ExitCode);
        Assert.Contains("another shadowcopy run controls this table", refused.Message, StringComparison.Ordinal);
        Assert.Contains("status json", await ControlClient.SendAsync(SocketPath, "help", TimeSpan.FromSeconds(5), CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_stale_socket_of_a_killed_run_is_replaced()
    {
        // A socket file whose process is gone (SIGKILL): the file stays, nobody listens. (.NET removes
        // the file when a bound socket is disposed, so bind elsewhere and move the file into place.)
        var elsewhere = Path.Combine(_dir, "elsewhere.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(elsewhere));
            File.Move(elsewhere, SocketPath);
        }

        Assert.True(File.Exists(SocketPath));
        await using var server = await ControlServer.StartAsync(SocketPath, NewControl());

        Assert.StartsWith("phase:", await ControlClient.SendAsync(SocketPath, "status", TimeSpan.FromSeconds(5), CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_regular_file_with_content_on_the_path_is_not_deleted()
    {
        await File.WriteAllTextAsync(SocketPath, "mine");

        await Assert.ThrowsAsync<ArgumentException>(() => ControlServer.StartAsync(SocketPath, NewControl()));
        Assert.Equal("mine", await File.ReadAllTextAsync(SocketPath));
    }

    [Fact]
    public async Task Serve_oversized_command_gets_an_error_and_silent_client_is_dropped()
    {
        await using var server = await ControlServer.StartAsync(SocketPath, NewControl(), TimeSpan.FromMilliseconds(300));

        var reply = await ControlClient.SendAsync(SocketPath, new string('x', ControlServer.MaxCommandBytes + 10), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.StartsWith("error: command longer than", reply, StringComparison.Ordinal);

        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await silent.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var read = await silent.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        Assert.Equal(0, read); // closed by the server after its read timeout, without a reply

        // A raw client that sends a line without shutting down its side (socat, nc) gets a reply too.
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await raw.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await raw.SendAsync(Encoding.UTF8.GetBytes("throttle\n"), SocketFlags.None);
        read = await raw.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        Assert.StartsWith("ok:", Encoding.UTF8.GetString(buffer, 0, read), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_nothing_listening_throws_socket_exception()
    {
        await Assert.ThrowsAnyAsync<SocketException>(() => ControlClient.SendAsync(Path.Combine(_dir, "none.sock"), "status", TimeSpan.FromSeconds(2), CancellationToken.None));
    }

    [Fact]
    public void Default_path_is_readable_for_plain_names_and_hashed_when_long_or_unusual()
    {
        Assert.Equal("/tmp/shadowcopy-shop.public.orders.sock", ControlSocketPath.Default("/tmp", "shop", "public", "orders"));

        var longName = ControlSocketPath.Default("/tmp", "shop", "public", new string('t', 63));
        Assert.True(Encoding.UTF8.GetByteCount(longName) <= ControlSocketPath.MaxBytes);
        Assert.NotEqual(longName, ControlSocketPath.Default("/tmp", "shop", "public", new string('t', 62) + "u"));

        var odd = ControlSocketPath.Default("/tmp", "shop", "public", "a/b c");
        Assert.DoesNotContain(" ", odd, StringComparison.Ordinal);
        Assert.Equal("/tmp", Path.GetDirectoryName(odd));
        Assert.NotEqual(odd, ControlSocketPath.Default("/tmp", "shop", "public", "a_b_c"));
    }
}
