using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ShadowCopy.Core.Journal;

/// <summary>
/// The run's audit trail: one JSON object per line (<c>{"time":…,"kind":…, …data}</c>) appended to
/// a file and flushed per line, so <c>tail -f</c> and a crash both see every event written. Others
/// may read the file while it is written. Secrets are redacted from every string. A failure to
/// write is reported once on the error writer and never fails the run.
/// </summary>
public sealed class JournalWriter : IRunObserver, IDisposable
{
    private readonly Lock _gate = new();
    private readonly SecretRedactor _redactor;
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2213", Justification = "The caller's writer (stderr); not ours to dispose.")]
    private readonly TextWriter _error;
    private FileStream? _file;
    private bool _failed;

    public JournalWriter(string path, SecretRedactor redactor, TextWriter errorWriter)
    {
        Path = path;
        _redactor = redactor;
        _error = errorWriter;
    }

    public string Path { get; }

    public void OnEvent(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        lock (_gate)
        {
            if (_failed)
            {
                return;
            }

            try
            {
                // Opened at the first event, so a command line refused before the run starts leaves no file.
                _file ??= Open(Path);
                var line = Serialize(runEvent);
                _file.Write(line);
                _file.Flush();
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or ObjectDisposedException or ArgumentException or NotSupportedException)
            {
                Fail(error);
            }
        }
    }

    private static FileStream Open(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!OperatingSystem.IsWindows())
        {
            // The journal holds the run's SQL and who ran it: readable by its owner only.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            Directory.CreateDirectory(directory);
        }

        return new FileStream(path, options);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
            _failed = true; // late events (none expected) are dropped rather than reopening the file
        }
    }

    internal byte[] Serialize(RunEvent runEvent)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("time", runEvent.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("kind", runEvent.Kind);
            foreach (var (key, value) in runEvent.Data)
            {
                if (key is "time" or "kind")
                {
                    continue;
                }

                json.WritePropertyName(key);
                WriteValue(json, value);
            }

            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int or long or short or byte or uint or ulong:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case float or decimal:
                json.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case TimeSpan span:
                json.WriteNumberValue(span.TotalMilliseconds);
                break;
            case DateTimeOffset time:
                json.WriteStringValue(time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteStringValue(_redactor.Redact(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));
                break;
        }
    }

    private void Fail(Exception error)
    {
        _file?.Dispose();
        _file = null;
        _failed = true;
        _error.WriteLine(_redactor.Redact($"warning: journal {Path} cannot be written ({error.Message}); the run continues without it"));
    }

    /// <summary>UTF-8 text of one event's line (tests).</summary>
    internal string SerializeToString(RunEvent runEvent) => Encoding.UTF8.GetString(Serialize(runEvent));
}
