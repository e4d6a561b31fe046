using System.CommandLine;
using System.Net.Sockets;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Commands.Ctl;

/// <summary>
/// <c>shadowcopy ctl</c>: one command to a run's control socket. Exit 0 when the run accepted it,
/// 2 for a bad command line or an <c>error:</c> reply, 3 when no run answers on the socket.
/// </summary>
internal static class CtlCommand
{
    public static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string path;
        TimeSpan timeout;
        var command = string.Join(' ', parse.GetValue(CtlCommandDefinition.Words) ?? []);
        try
        {
            path = SocketPath(parse);
            var timeoutText = parse.GetValue(CtlCommandDefinition.Timeout);
            if (!DurationParser.TryParse(timeoutText, out timeout) || timeout <= TimeSpan.Zero)
            {
                throw new ArgumentException($"--timeout must be a duration like 10s, not '{timeoutText}'");
            }
        }
        catch (Exception bad) when (bad is ArgumentException or FormatException)
        {
            error.WriteLine($"error: {bad.Message}");
            return ExitCodes.UsageError;
        }

        string reply;
        try
        {
            reply = await ControlClient.SendAsync(path, command, timeout, cancellationToken);
        }
        catch (Exception failure) when (failure is SocketException or TimeoutException or IOException)
        {
            error.WriteLine($"error: cannot reach a run on {path} ({failure.Message}); is `shadowcopy alter` running with this --control-socket (or --dsn/--table)?");
            return ExitCodes.ConnectionFailed;
        }

        output.WriteLine(reply);
        return reply.StartsWith(ControlCommands.ErrorPrefix, StringComparison.Ordinal) ? ExitCodes.UsageError : ExitCodes.Success;
    }

    private static string SocketPath(ParseResult parse)
    {
        var socket = parse.GetValue(CtlCommandDefinition.Socket);
        var dsn = parse.GetValue(CtlCommandDefinition.Dsn);
        var table = parse.GetValue(CtlCommandDefinition.Table);
        if (socket is not null)
        {
            return dsn is null && table is null
                ? socket
                : throw new ArgumentException("give either --socket or --dsn with --table, not both");
        }

        return dsn is not null && table is not null
            ? RunTarget.Parse(dsn, table).DefaultSocketPath()
            : throw new ArgumentException("ctl needs --socket PATH, or --dsn and --table of the run (to find its default socket)");
    }
}
