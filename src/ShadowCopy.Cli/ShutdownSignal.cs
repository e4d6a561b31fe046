using System.Runtime.InteropServices;

namespace ShadowCopy.Cli;

/// <summary>
/// Turns Ctrl+C and SIGTERM into a cancellation the engine handles: before cut-over it stops and
/// cleans up (triggers, log, shadow) before exiting; the process is not killed under it.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _int;
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2213", Justification = "The caller's writer (stderr); not ours to dispose.")]
    private readonly TextWriter _error;

    public ShutdownSignal(TextWriter error)
    {
        _error = error;
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _term.Dispose();
        _int.Dispose();
        _source.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (!_source.IsCancellationRequested)
        {
            _error.WriteLine($"received {context.Signal}: stopping and cleaning up (the original table is not touched)…");
            _source.Cancel();
        }
    }
}
