using DriverDataReader = MySqlConnector.MySqlDataReader;

namespace ShadowCopy.MySql;

/// <summary>The first result set with columns of a statement (or batch), fully read: its columns and rows.</summary>
internal sealed class MySqlResultSet
{
    private MySqlResultSet(IReadOnlyList<MySqlColumn> columns, IReadOnlyList<MySqlRow> rows)
    {
        Columns = columns;
        Rows = rows;
    }

    public IReadOnlyList<MySqlColumn> Columns { get; }

    public IReadOnlyList<MySqlRow> Rows { get; }

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

    /// <summary>Reads the first result set that has columns and drains the rest (later statements of a batch still run).</summary>
    internal static async Task<MySqlResultSet> ReadAsync(DriverDataReader reader, CancellationToken cancellationToken)
    {
        MySqlResultSet? first = null;
        do
        {
            if (first is not null || reader.FieldCount == 0)
            {
                continue;
            }

            var columns = new MySqlColumn[reader.FieldCount];
            var decimals = new bool[columns.Length];
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = new MySqlColumn(reader.GetName(i), reader.GetDataTypeName(i));
                decimals[i] = reader.GetFieldType(i) == typeof(decimal);
            }

            var rows = new List<MySqlRow>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var values = new object?[columns.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    // DECIMAL keeps the server's exact text: up to 65 digits, beyond System.Decimal.
                    values[i] = await reader.IsDBNullAsync(i, cancellationToken).ConfigureAwait(false) ? null : decimals[i] ? reader.GetMySqlDecimal(i) : reader.GetValue(i);
                }

                rows.Add(new MySqlRow(columns, values));
            }

            first = new MySqlResultSet(columns, rows);
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));

        return first ?? new MySqlResultSet([], []);
    }
}
