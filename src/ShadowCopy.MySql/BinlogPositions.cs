using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql;

internal static class BinlogPositions
{
    /// <summary>Orders positions by file (fixed-width numbered names sort as text), then offset.</summary>
    public static int Compare(BinlogPosition a, BinlogPosition b)
    {
        var file = string.CompareOrdinal(a.FileName, b.FileName);
        return file != 0 ? file : a.Position.CompareTo(b.Position);
    }
}
