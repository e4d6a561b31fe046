using System.Security.Cryptography;
using System.Text;

namespace ShadowCopy.Core.Schema;

/// <summary>
/// Names of every object a run creates next to the table. Kept within the engine's identifier
/// limit (63 bytes on PostgreSQL, 64 characters on MySQL): a name that would not fit is cut at a
/// character boundary and given a hash of the full name, so two long tables never share helpers
/// and the server never silently truncates one of our names into a collision.
/// </summary>
public sealed record HelperObjectNames(string Shadow, string Old, string ChangeLog, string Trigger, string Function)
{
    /// <summary>The run's checkpoint table (<c>_&lt;table&gt;_state</c>), read by <c>--resume</c>; a helper like the others.</summary>
    public string State { get; init; } = string.Empty;

    public static HelperObjectNames For(string table, int maxIdentifierBytes) => new(
        Derive(table, "new", maxIdentifierBytes),
        Derive(table, "old", maxIdentifierBytes),
        Derive(table, "log", maxIdentifierBytes),
        Derive(table, "trg", maxIdentifierBytes),
        Derive(table, "fn", maxIdentifierBytes))
    {
        State = Derive(table, "state", maxIdentifierBytes),
    };

    /// <summary><c>_&lt;name&gt;_&lt;suffix&gt;</c>, shortened with a hash when it would exceed the limit.</summary>
    public static string Derive(string name, string suffix, int maxIdentifierBytes)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(suffix);
        var full = $"_{name}_{suffix}";
        if (Encoding.UTF8.GetByteCount(full) <= maxIdentifierBytes)
        {
            return full;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        var tail = $"~{hash}_{suffix}";
        var budget = maxIdentifierBytes - 1 - Encoding.UTF8.GetByteCount(tail);
        var kept = new StringBuilder();
        var used = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            var bytes = rune.Utf8SequenceLength;
            if (used + bytes > budget)
            {
                break;
            }

            kept.Append(rune.ToString());
            used += bytes;
        }

        return $"_{kept}{tail}";
    }
}
