using System.Text.Json;
using ShadowCopy.Core.Journal;

namespace ShadowCopy.Core.Tests.Journal;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JournalWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sc-journal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void OnEvent_appends_one_json_line_per_event_readable_while_open()
    {
        var path = Path.Combine(_dir, "sub", "run.jsonl");
        using var error = new StringWriter();
        using (var journal = new JournalWriter(path, new SecretRedactor([]), error))
        {
            journal.OnEvent(RunEvent.Create(RunEventKinds.Phase, ("from", "Copying"), ("to", "CatchingUp"), ("detail", null)));
            journal.OnEvent(RunEvent.Create(RunEventKinds.CutOverAttempt, ("attempt", 1), ("succeeded", true), ("lock_wait_ms", 12L), ("ratio", 0.5)));

            // FileShare.Read: tail -f works while the run writes; every line is flushed.
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Assert.Equal(2, new StreamReader(reader).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        using (var again = new JournalWriter(path, new SecretRedactor([]), error))
        {
            again.OnEvent(RunEvent.Create(RunEventKinds.RunFinished, ("exit_code", 0)));
        }

        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["phase", "cut-over-attempt", "run-finished"], lines.Select(l => l.GetProperty("kind").GetString()));
        Assert.True(DateTimeOffset.TryParse(lines[0].GetProperty("time").GetString(), out _));
        Assert.Equal("CatchingUp", lines[0].GetProperty("to").GetString());
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("detail").ValueKind);
        Assert.True(lines[1].GetProperty("succeeded").GetBoolean());
        Assert.Equal(12, lines[1].GetProperty("lock_wait_ms").GetInt64());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Empty(error.ToString());
    }

    [Fact]
    public void OnEvent_redacts_the_configured_password_and_password_like_values()
    {
        var path = Path.Combine(_dir, "run.jsonl");
        using var error = new StringWriter();
        using (var journal = new JournalWriter(path, new SecretRedactor(["s3cret!pw"]), error))
        {
            journal.OnEvent(RunEvent.Create(
                RunEventKinds.Hook,
                ("output", "connecting with s3cret!pw\npassword=hunter2 PWD: 'x y' dsn postgres://app:topsecret@db/shop"),
                ("sql", "CREATE USER u IDENTIFIED BY 'abc'; ALTER TABLE t ADD COLUMN password text")));
        }

        var text = File.ReadAllText(path);
        foreach (var secret in new[] { "s3cret!pw", "hunter2", "x y", "topsecret", "'abc'" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Contains("password=***", text, StringComparison.Ordinal);
        Assert.Contains("postgres://app:***@db/shop", text, StringComparison.Ordinal);
        Assert.Contains("ADD COLUMN password text", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OnEvent_unwritable_path_reports_once_and_never_throws()
    {
        using var error = new StringWriter();
        using var journal = new JournalWriter(_dir, new SecretRedactor([]), error); // a directory

        journal.OnEvent(RunEvent.Create(RunEventKinds.Phase));
        journal.OnEvent(RunEvent.Create(RunEventKinds.Phase));

        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("the run continues without it", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Default_path_follows_xdg_state_home_else_home()
    {
        Assert.Equal("/state/shadowcopy/shop.public.orders.jsonl", JournalPath.Default("shop", "public", "orders", v => v == "XDG_STATE_HOME" ? "/state" : null));
        Assert.Equal("/home/me/.local/state/shadowcopy/shop.public.orders.jsonl", JournalPath.Default("shop", "public", "orders", v => v == "HOME" ? "/home/me" : null));
        Assert.Equal("/home/me/.local/state/shadowcopy/shop.a_b._...jsonl", JournalPath.Default("shop", "a/b", "..", v => v switch { "HOME" => "/home/me", "XDG_STATE_HOME" => "relative", _ => null }));
    }
}
