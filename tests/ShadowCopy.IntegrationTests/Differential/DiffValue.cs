namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// One cell of a generated row, as SQL text for the original column type. <paramref name="Lenient"/>:
/// MySQL stores the value only outside strict mode (an unknown ENUM member becomes '' — index 0), so
/// the statement runs with a lenient sql_mode on both tables alike.
/// </summary>
internal readonly record struct DiffValue(string Sql, bool Lenient = false)
{
    public static readonly DiffValue Null = new("NULL");

    /// <summary>The column's default (the DEFAULT keyword, in VALUES and in SET).</summary>
    public static readonly DiffValue Default = new("DEFAULT");

    public override string ToString() => Lenient ? Sql + " (lenient)" : Sql;
}
