using System.Text;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Capture.Binlog;

/// <summary>
/// Replays a batch of row changes (whole transactions, in binlog order) on the shadow. The changes
/// are first netted per key: a key's last image wins, a key whose last change removed it is only
/// deleted. The surviving images are written through <see cref="MySqlStagedWriter"/>: staged typed as
/// the original's columns, converted by the copy's own statement, then every touched key is deleted
/// from the shadow and the converted rows inserted. Never REPLACE: with a UNIQUE key the original does not
/// have, REPLACE would delete whichever other row holds the value.
/// </summary>
internal sealed class MySqlRowApplier
{
    private readonly MySqlStatements _sql;
    private readonly MySqlStagedWriter _writer;
    private readonly MyTable _source;
    private readonly IReadOnlyList<string?> _charsets;
    private readonly int[] _keyOrdinals;
    private readonly int[] _copiedOrdinals;

    public MySqlRowApplier(MySqlStatements sql, MyTable source, MyTable shadow, IReadOnlyList<string?> charsets)
    {
        _sql = sql;
        _source = source;
        _charsets = charsets;
        _writer = new MySqlStagedWriter(sql, source, shadow);
        _keyOrdinals = sql.Key.Select(k => Ordinal(k.SourceName)).ToArray();
        _copiedOrdinals = sql.Copied.Select(c => Ordinal(c.SourceName)).ToArray();
    }

    /// <summary>Test seam: runs after a batch's rows reached the shadow, inside its transaction (a deliberately wrong conversion).</summary>
    internal Func<MySqlSession, IReadOnlyList<RowKey>, CancellationToken, Task>? AfterApplyForTests { get; set; }

    /// <param name="session">The shadow's session, inside the applier's transaction.</param>
    /// <param name="changes">The row changes, in binlog order.</param>
    /// <param name="removedKeys">When not null, each key a change removes is added (as SQL literals) for the lock-free copy's tombstones.</param>
    /// <param name="touched">Receives every key the batch touched (for delta verification).</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    public async Task ApplyAsync(MySqlSession session, IEnumerable<BinlogRowChange> changes, List<IReadOnlyList<string>>? removedKeys, List<RowKey> touched, CancellationToken cancellationToken)
    {
        var final = new Dictionary<RowKey, BinlogRow?>();
        foreach (var change in changes)
        {
            RowKey? before = null;
            if (change.Before is { } b)
            {
                before = Key(b);
                if (change.After is null || !before.Equals(Key(change.After)))
                {
                    final[before] = null;
                    removedKeys?.Add(before.Parts);
                }
            }

            if (change.After is { } after)
            {
                final[before is not null && before.Equals(Key(after)) ? before : Key(after)] = after;
            }
        }

        if (final.Count == 0)
        {
            return;
        }

        var rows = final.Values.Where(v => v is not null).Select(v => $"({string.Join(", ", _copiedOrdinals.Select(o => Literal(v!, o)))})").ToList();
        await _writer.WriteAsync(session, final.Keys, rows, cancellationToken).ConfigureAwait(false);
        touched.AddRange(final.Keys);
        if (AfterApplyForTests is { } hook)
        {
            await hook(session, [.. final.Keys], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>"Duplicate entry 'x' for key 'name'" (MySQL 8 qualifies it as 'table.name').</summary>
    internal static string KeyName(string message)
    {
        var at = message.LastIndexOf(" for key '", StringComparison.Ordinal);
        if (at < 0)
        {
            return string.Empty;
        }

        var name = message[(at + 10)..].TrimEnd('\'');
        var dot = name.LastIndexOf('.');
        return dot >= 0 ? name[(dot + 1)..] : name;
    }

    /// <summary>The key of a row image as SQL literals typed like the original's key columns.</summary>
    public RowKey Key(BinlogRow row) => new(_keyOrdinals.Select(o => Literal(row, o)).ToArray());

    private string Literal(BinlogRow row, int ordinal) => MySqlRowImage.Literal(row, ordinal, _charsets[ordinal]);

    private int Ordinal(string column)
    {
        for (var i = 0; i < _source.Columns.Count; i++)
        {
            if (string.Equals(_source.Columns[i].Name, column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"column {column} not in the source");
    }
}
