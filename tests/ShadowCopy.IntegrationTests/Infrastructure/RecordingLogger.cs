using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>Keeps every log entry (event id and rendered message) a run wrote.</summary>
internal sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<(int EventId, LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
}
