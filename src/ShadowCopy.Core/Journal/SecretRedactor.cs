using System.Text.RegularExpressions;

namespace ShadowCopy.Core.Journal;

/// <summary>
/// Removes secrets from text bound for the journal or a hook's output: the configured password(s)
/// wherever they appear, and anything that looks like one (<c>password=…</c>, <c>pwd: …</c>,
/// <c>scheme://user:secret@host</c>). Belt and braces: nothing should carry a password here at all.
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>Environment variables a password can come from (docs/user-guide.md).</summary>
    public static readonly IReadOnlyList<string> PasswordVariables = ["SHADOWCOPY_PASSWORD", "PGPASSWORD", "MYSQL_PWD"];

    private readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string?> secrets)
    {
        // Longest first, so a secret containing another is masked whole.
        _secrets = [.. secrets.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    /// <summary>A redactor for the passwords in this process's environment.</summary>
    public static SecretRedactor FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return new SecretRedactor(PasswordVariables.Select(environment));
    }

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        text = KeyValue().Replace(text, m => m.Groups["key"].Value + Mask);
        return UriUserInfo().Replace(text, m => $"{m.Groups["head"].Value}{Mask}@");
    }

    // password=x, "password": "x", PWD = 'x', IDENTIFIED BY 'x': up to the closing quote, else the next separator.
    // A separator is required, so DDL like "ADD COLUMN password text" is left alone.
    [GeneratedRegex("""(?<key>\b(?:password|passwd|pwd)"?\s*[=:]\s*|\bidentified\s+by\s+)(?:'[^']*'|"[^"]*"|[^\s;,&'"]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValue();

    [GeneratedRegex("""(?<head>\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UriUserInfo();
}
