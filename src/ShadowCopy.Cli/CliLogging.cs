using Microsoft.Extensions.Logging;

namespace ShadowCopy.Cli;

/// <summary>Logs go to stderr so stdout stays for status and results (and JSON stays parseable).</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(bool verbose) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
