using System.Text;

namespace ShadowCopy.Core.Journal;

/// <summary>Where the journal goes by default: $XDG_STATE_HOME/shadowcopy (else ~/.local/state/shadowcopy)/&lt;database&gt;.&lt;schema&gt;.&lt;table&gt;.jsonl.</summary>
public static class JournalPath
{
    public static string Default(string database, string schema, string table, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var state = environment("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state) || !Path.IsPathRooted(state))
        {
            // The XDG spec ignores relative values.
            var home = environment("HOME");
            state = Path.Combine(string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home, ".local", "state");
        }

        return Path.Combine(state, "shadowcopy", $"{Safe(database)}.{Safe(schema)}.{Safe(table)}.jsonl");
    }

    /// <summary>File-name safe: a '/' or control character in a name must not move the journal elsewhere.</summary>
    private static string Safe(string part)
    {
        var text = new StringBuilder(part.Length);
        foreach (var c in part)
        {
            text.Append(c is '/' or '\\' || char.IsControl(c) ? '_' : c);
        }

        var safe = text.ToString();
        return safe is "" or "." or ".." ? $"_{safe}" : safe;
    }
}
