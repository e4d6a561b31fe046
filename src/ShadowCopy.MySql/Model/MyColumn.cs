namespace ShadowCopy.MySql.Model;

/// <summary>One column as SHOW FULL COLUMNS reports it (works for temporary tables too).</summary>
internal sealed record MyColumn(string Name, string ColumnType, string? Collation, bool IsNullable, bool IsGenerated, bool IsAutoIncrement, string? Default)
{
    /// <summary>The base type without length or attributes: <c>varchar</c>, <c>int</c>, <c>enum</c>…</summary>
    public string DataType
    {
        get
        {
            var end = ColumnType.IndexOfAny(['(', ' ']);
            return (end < 0 ? ColumnType : ColumnType[..end]).ToLowerInvariant();
        }
    }

    public bool IsText => Collation is not null;

    public bool IsFloat => DataType is "float";

    public bool IsUnsigned => ColumnType.Contains("unsigned", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The number of labels of an ENUM column (0 for any other type), counted from COLUMN_TYPE, which
    /// spells each label as a quoted string ('' and backslash escapes).
    /// </summary>
    public int EnumLabelCount
    {
        get
        {
            if (DataType != "enum")
            {
                return 0;
            }

            var count = 0;
            var quoted = false;
            for (var i = ColumnType.IndexOf('(', StringComparison.Ordinal) + 1; i < ColumnType.Length; i++)
            {
                var c = ColumnType[i];
                if (!quoted)
                {
                    if (c == '\'')
                    {
                        quoted = true;
                        count++;
                    }
                }
                else if (c == '\\')
                {
                    i++;
                }
                else if (c == '\'')
                {
                    if (i + 1 < ColumnType.Length && ColumnType[i + 1] == '\'')
                    {
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
            }

            return count;
        }
    }
}
