using System.Text;

namespace ShadowCopy.MySql.Protocol;

/// <summary>Maps collation ids (SHOW COLLATION / information_schema.COLLATIONS) to .NET encodings.</summary>
internal static class CharacterSets
{
    public const int Binary = 63;

    /// <summary>MySQL's latin1 is Windows-1252 (MySQL manual, "West European Character Sets").</summary>
    public static readonly Encoding Latin1 = CreateLatin1();

    public static readonly Encoding Utf8 = new UTF8Encoding(false, false);

    public static bool IsBinary(int collationId) => collationId == Binary;

    /// <summary>Encoding for a collation id, or null when the collation is unknown (callers then keep bytes).</summary>
    public static Encoding? TryGetEncoding(int collationId)
    {
        // MariaDB numbers its NO PAD variants as 1024 + the PAD SPACE collation id.
        var id = collationId is >= 1024 and < 2048 ? collationId - 1024 : collationId;
        return id switch
        {
            33 or 45 or 46 or 76 or 83 or (>= 192 and <= 247) or (>= 255 and <= 323) or (>= 2048 and <= 2559) => Utf8,
            5 or 8 or 15 or 31 or 47 or 48 or 49 or 94 => Latin1,
            11 or 65 => Encoding.ASCII,
            _ => null,
        };
    }

    private static Encoding CreateLatin1()
    {
        try
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? Encoding.Latin1;
        }
        catch (NotSupportedException)
        {
            return Encoding.Latin1;
        }
    }
}
