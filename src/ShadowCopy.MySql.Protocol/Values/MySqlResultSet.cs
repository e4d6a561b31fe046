namespace ShadowCopy.MySql.Protocol;

/// <summary>
/// One result of a query: columns and rows for a SELECT-like statement, or (with no columns) the
/// affected rows and last insert id of a statement without rows.
/// </summary>
public sealed class MySqlResultSet
{
    internal MySqlResultSet(
        IReadOnlyList<MySqlColumn> columns,
        IReadOnlyList<MySqlRow> rows,
        int warnings,
        MySqlServerStatus status,
        ulong affectedRows,
        ulong lastInsertId,
        string info)
    {
        Columns = columns;
        Rows = rows;
        Warnings = warnings;
        Status = status;
        AffectedRows = affectedRows;
        LastInsertId = lastInsertId;
        Info = info;
    }

    public IReadOnlyList<MySqlColumn> Columns { get; }

    public IReadOnlyList<MySqlRow> Rows { get; }

    public int Warnings { get; }

    public MySqlServerStatus Status { get; }

    public ulong AffectedRows { get; }

    public ulong LastInsertId { get; }

    public string Info { get; }

    public int GetOrdinal(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new ArgumentException($"No column named '{name}'.", nameof(name));
    }
}
