using System.Net.Sockets;
using System.Text;

namespace ShadowCopy.Core.Control;

/// <summary>Sends one command line to a control socket and reads the whole reply (the server closes after it).</summary>
public static class ControlClient
{
    /// <summary>Longest reply read; a status is a few hundred bytes.</summary>
    private const int MaxReplyBytes = 1 << 20;

    /// <summary>Throws <see cref="SocketException"/> when nothing listens (or the path is not a socket), <see cref="TimeoutException"/> when no reply comes in time.</summary>
    public static async Task<string> SendAsync(string path, string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), bounded.Token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.UTF8.GetBytes(command.ReplaceLineEndings(" ").Trim() + "\n"), SocketFlags.None, bounded.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
            using var reply = new MemoryStream();
            var buffer = new byte[4096];
            while (reply.Length < MaxReplyBytes)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, bounded.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                await reply.WriteAsync(buffer.AsMemory(0, read), bounded.Token).ConfigureAwait(false);
            }

            return Encoding.UTF8.GetString(reply.GetBuffer(), 0, (int)reply.Length).TrimEnd('\n');
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no reply from {path} within {timeout.TotalSeconds:0.#} s");
        }
    }
}
