using System.Diagnostics;
using System.Globalization;
using System.Text;
using ShadowCopy.Core.Journal;

namespace ShadowCopy.Core.Hooks;

/// <summary>
/// Runs the executables of <c>--hooks-dir</c> (gh-ost's hooks): for a hook, every executable
/// regular file whose name starts with the hook's name, in ordinal name order, each with the run's
/// figures as SHADOWCOPY_* variables and without the password variables. Each is bounded by a
/// timeout (then its process tree is killed and it counts as failed); its output is kept
/// (truncated) and journaled as a <c>hook</c> event. All run even if one fails.
/// </summary>
public sealed class HookRunner : IRunHooks
{
    /// <summary>Characters of a hook's combined stdout/stderr kept for the journal.</summary>
    public const int MaxOutputChars = 4096;

    private readonly string _directory;
    private readonly TimeSpan _timeout;
    private readonly IRunObserver? _observer;

    public HookRunner(string directory, TimeSpan timeout, IRunObserver? observer)
    {
        if (!Directory.Exists(directory))
        {
            throw new ArgumentException($"--hooks-dir '{directory}' does not exist or is not a directory");
        }

        _directory = Path.GetFullPath(directory);
        _timeout = timeout > TimeSpan.Zero ? timeout : throw new ArgumentOutOfRangeException(nameof(timeout), "the hook timeout must be positive");
        _observer = observer;
    }

    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The executables that run for <paramref name="hook"/>, in order.</summary>
    public IReadOnlyList<string> Find(string hook)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return [.. new DirectoryInfo(_directory).EnumerateFiles()
            .Where(f => f.Name.StartsWith(hook, StringComparison.Ordinal) && (f.UnixFileMode & anyExecute) != 0)
            .Select(f => f.FullName)
            .Order(StringComparer.Ordinal)];
    }

    public async Task<HookOutcome> RunAsync(string hook, HookContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? failure = null;
        foreach (var path in Find(hook))
        {
            var error = await RunOneAsync(hook, path, context, cancellationToken).ConfigureAwait(false);
            failure ??= error;
        }

        return failure is null ? HookOutcome.None : new HookOutcome(false, failure);
    }

    internal static IReadOnlyDictionary<string, string> Variables(string hook, HookContext context)
    {
        static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SHADOWCOPY_HOOK"] = hook,
            ["SHADOWCOPY_ENGINE"] = context.Engine,
            ["SHADOWCOPY_DATABASE"] = context.Database,
            ["SHADOWCOPY_TABLE"] = context.Table,
            ["SHADOWCOPY_ALTER"] = context.Alter,
            ["SHADOWCOPY_PHASE"] = context.Phase,
            ["SHADOWCOPY_CAPTURE"] = context.Capture,
            ["SHADOWCOPY_ROWS_COPIED"] = context.RowsCopied.ToString(CultureInfo.InvariantCulture),
            ["SHADOWCOPY_ROWS_ESTIMATED"] = context.RowsEstimated.ToString(CultureInfo.InvariantCulture),
            ["SHADOWCOPY_BACKLOG"] = context.ChangeBacklog.ToString(CultureInfo.InvariantCulture),
            ["SHADOWCOPY_ETA_SECONDS"] = context.EtaSeconds is { } eta ? Number(eta) : string.Empty,
            ["SHADOWCOPY_ELAPSED_SECONDS"] = Number(context.ElapsedSeconds),
            ["SHADOWCOPY_THROTTLE_REASON"] = context.ThrottleReason ?? string.Empty,
            ["SHADOWCOPY_EXIT_CODE"] = context.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            ["SHADOWCOPY_FAILURE"] = context.FailureMessage ?? string.Empty,
        };
    }

    /// <summary>Runs one executable; returns null on success, else why it failed.</summary>
    private async Task<string?> RunOneAsync(string hook, string path, HookContext context, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var secret in SecretRedactor.PasswordVariables)
        {
            info.Environment.Remove(secret);
        }

        foreach (var (name, value) in Variables(hook, context))
        {
            info.Environment[name] = value;
        }

        var output = new BoundedText(MaxOutputChars);
        var watch = Stopwatch.StartNew();
        int? exitCode = null;
        string? failure;
        var timedOut = false;
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => output.AppendLine(e.Data);
        process.ErrorDataReceived += (_, e) => output.AppendLine(e.Data);
        try
        {
            process.Start();
        }
        catch (Exception error) when (error is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            failure = $"{Path.GetFileName(path)} could not start: {error.Message}";
            Journal(hook, path, null, watch.Elapsed, failure, timedOut, output);
            return failure;
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_timeout);
        try
        {
            await process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
            exitCode = process.ExitCode;
            failure = exitCode == 0 ? null : $"{Path.GetFileName(path)} exited with {exitCode}";
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            Kill(process);
            failure = timedOut
                ? $"{Path.GetFileName(path)} did not finish within {_timeout.TotalSeconds:0.#} s and was killed"
                : $"{Path.GetFileName(path)} was stopped: the run is ending";
            Journal(hook, path, null, watch.Elapsed, failure, timedOut, output);
            cancellationToken.ThrowIfCancellationRequested();
            return failure;
        }

        Journal(hook, path, exitCode, watch.Elapsed, failure, timedOut, output);
        return failure;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile.
        }
    }

    private void Journal(string hook, string path, int? exitCode, TimeSpan duration, string? failure, bool timedOut, BoundedText output) =>
        _observer?.OnEvent(RunEvent.Create(
            RunEventKinds.Hook,
            ("hook", hook),
            ("path", path),
            ("exit_code", exitCode),
            ("succeeded", failure is null),
            ("timed_out", timedOut),
            ("duration_ms", (long)duration.TotalMilliseconds),
            ("error", failure),
            ("output", output.ToString())));

    /// <summary>Keeps the first characters of a stream of lines (events arrive on pool threads).</summary>
    private sealed class BoundedText(int limit)
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _gate = new();
        private bool _truncated;

        public void AppendLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                var room = limit - _text.Length;
                if (room <= 0)
                {
                    _truncated = true;
                    return;
                }

                _text.Append(line.Length + 1 > room ? line[..Math.Max(0, room - 1)] : line).Append('\n');
                _truncated |= line.Length + 1 > room;
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return _truncated ? _text + "…(truncated)" : _text.ToString();
            }
        }
    }
}
