using System.Security.Cryptography;
using System.Text;

namespace ShadowCopy.MySql.CutOver;

/// <summary>
/// Names of the binlog cut-over's "go" token (docs/cut-over.md): a table created only once the
/// binlog is drained, which the waiting RENAME renames along with the swap. Its name must sort after
/// the table's own name, because MariaDB takes a statement's metadata locks one at a time in name
/// order: the RENAME then waits on the table (the only name anyone holds) and not on the token, so
/// creating the token while the RENAME waits cannot deadlock, and the RENAME is queued on the table,
/// ahead of the writers, before we unlock. Any name with the table's name as a strict prefix sorts
/// after it; when that does not fit in 64 characters, a cut prefix followed by '~' (above every
/// ASCII letter, digit, '_' and '$') does.
/// </summary>
internal static class MySqlGoToken
{
    private const int MaxIdentifier = 64;

    /// <summary>(go, gone) for <paramref name="table"/>, or null when no such name exists (a very long non-ASCII name).</summary>
    public static (string Go, string Gone)? For(string table)
    {
        if (table.Length + "~gone".Length <= MaxIdentifier)
        {
            return (table + "~go", table + "~gone");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(table)))[..8];
        for (var keep = MaxIdentifier - "~".Length - hash.Length - "gone".Length; keep > 0; keep--)
        {
            // The first differing character decides: ours is '~', the table's must be below it.
            if (table[keep] < '~' && !char.IsSurrogate(table[keep - 1]))
            {
                var stem = $"{table[..keep]}~{hash}";
                return (stem + "go", stem + "gone");
            }
        }

        return null;
    }
}
