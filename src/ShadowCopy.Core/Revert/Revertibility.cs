using System.Globalization;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Revert;

/// <summary>
/// What an operator asks of a revertible table (ADR 0031, issue 18 point 4): since when it can be
/// reverted, how far the old table is behind, what the server holds for it, and how many rows would
/// not fit back. One shape for <c>ctl status</c>, the revert/finish dry run and the journal, so a
/// later binlog- or slot-based variant only fills other numbers in.
/// </summary>
/// <param name="Since">When the swap made the table revertible; null when the state does not say.</param>
/// <param name="MisfitCount">Rows written since the swap that the old shape cannot hold; null when not counted here.</param>
public sealed record Revertibility(DateTimeOffset? Since, long? MisfitCount)
{
    /// <summary>Always 0 with reverse triggers: they write the old table in the writer's own transaction.</summary>
    public const long BehindRows = 0;

    /// <summary>Always 0 with reverse triggers: no binlog position, no slot, no WAL is kept for a revert.</summary>
    public const long HeldBytes = 0;

    public const string BehindWhy = "the reverse triggers write the old table in the writer's own transaction, so it is in step at every commit";

    public const string HeldWhy = "no binlog or WAL is kept for a revert (no slot, no checkpointed position): the old table itself is the history";

    /// <summary>Lines for a person (dry run, <c>ctl status</c>): the first goes after "revertible: ", the rest are indented under it.</summary>
    public IEnumerable<string> Lines(DateTimeOffset now)
    {
        yield return Since is { } since
            ? $"since {since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} ({StatusText.Duration(now - since < TimeSpan.Zero ? TimeSpan.Zero : now - since)} ago)"
            : "since an unknown time (the state does not record the swap)";
        yield return $"behind: {BehindRows} rows ({BehindWhy})";
        yield return $"held: none ({HeldWhy})";
        yield return MisfitCount is { } misfits
            ? $"rows that do not fit back: {misfits}{(misfits == 0 ? string.Empty : " (revert refuses until they are changed or deleted)")}"
            : "rows that do not fit back: counted by `shadowcopy revert --dsn … --table …` (dry run)";
    }

    /// <summary>Journal fields (scalars only).</summary>
    public (string Key, object? Value)[] Fields() =>
    [
        ("revertible_since", Since?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
        ("behind_rows", BehindRows),
        ("held_bytes", HeldBytes),
        ("misfits", MisfitCount),
    ];

    /// <summary>The same as one JSON object property named <c>revertible</c>.</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject("revertible");
        foreach (var (key, value) in Fields())
        {
            switch (value)
            {
                case null:
                    json.WriteNull(key);
                    break;
                case string text:
                    json.WriteString(key, text);
                    break;
                case long number:
                    json.WriteNumber(key, number);
                    break;
            }
        }

        json.WriteString("mechanism", "reverse-triggers");
        json.WriteEndObject();
    }
}
