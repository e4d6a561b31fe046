namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// Marks a column that is not in a row image (binlog_row_image=MINIMAL or NOBLOB): its value is unknown,
/// which is different from SQL NULL.
/// </summary>
public sealed class BinlogMissingValue
{
    private BinlogMissingValue()
    {
    }

    public static BinlogMissingValue Instance { get; } = new();

    public override string ToString() => "<missing>";
}
