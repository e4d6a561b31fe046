using System.Globalization;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Shadow;

namespace ShadowCopy.MySql.Preflight;

/// <summary>
/// Changes that INSERT IGNORE would carry out silently by altering data are refused before any
/// copy: a new UNIQUE key over duplicates (IGNORE would drop rows), NOT NULL over NULLs (IGNORE
/// writes 0 or ''), narrowing a column below its data, and reordering ENUM values (the stored
/// index would point at another value). Each probe is one read-only query that stops at the first hit.
/// </summary>
internal static class MySqlLossyChecks
{
    public static async Task RunAsync(MySqlSession session, TableName table, MyTable source, MyMapping mapping, MyTable shadow, CancellationToken cancellationToken)
    {
        var src = MySqlStatements.Q(table.Schema, table.Name);
        var byShadow = mapping.Copied.ToDictionary(c => c.ShadowName, StringComparer.OrdinalIgnoreCase);
        foreach (var index in shadow.Indexes.Where(i => i.IsUnique && !i.HasPrefix))
        {
            if (!index.Columns.All(byShadow.ContainsKey))
            {
                continue;
            }

            var sourceColumns = index.Columns.Select(c => byShadow[c].SourceName).ToList();
            if (source.Indexes.Any(i => i.IsUnique && i.Columns.Count <= sourceColumns.Count && i.Columns.All(c => sourceColumns.Contains(c, StringComparer.OrdinalIgnoreCase))))
            {
                continue; // already unique in the original
            }

            var list = string.Join(", ", sourceColumns.Select(MySqlStatements.Q));
            var notNull = string.Join(" AND ", sourceColumns.Select(c => $"{MySqlStatements.Q(c)} IS NOT NULL"));
            await RefuseIfAnyAsync(session, $"SELECT 1 FROM {src} WHERE {notNull} GROUP BY {list} HAVING COUNT(*) > 1 LIMIT 1",
                $"The new UNIQUE key {index.Name} ({list}) is violated by existing duplicate rows of {table}; the copy would drop rows. Remove the duplicates first.", cancellationToken).ConfigureAwait(false);
        }

        foreach (var map in mapping.Copied)
        {
            var c = MySqlStatements.Q(map.SourceName);
            if (map.Source.IsNullable && !map.Shadow.IsNullable)
            {
                await RefuseIfAnyAsync(session, $"SELECT 1 FROM {src} WHERE {c} IS NULL LIMIT 1",
                    $"Column {map.SourceName} becomes NOT NULL but holds NULLs; the copy would replace them with a default. Update those rows first.", cancellationToken).ConfigureAwait(false);
            }

            if (map.Source.Collation is { } from && map.Shadow.Collation is { } to && Charset(from) != Charset(to))
            {
                // Characters the new charset cannot hold would become '?' (a warning under IGNORE).
                await RefuseIfAnyAsync(session, $"SELECT 1 FROM {src} WHERE {c} IS NOT NULL AND BINARY CONVERT(CONVERT({c} USING {Charset(to)}) USING {Charset(from)}) <> BINARY {c} LIMIT 1",
                    $"Column {map.SourceName} changes charset from {Charset(from)} to {Charset(to)}, and existing values hold characters {Charset(to)} cannot represent. Clean the data or choose a wider charset first.", cancellationToken).ConfigureAwait(false);
            }

            if (string.Equals(map.Source.ColumnType, map.Shadow.ColumnType, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (Narrowing(map.Shadow, c) is { } predicate)
            {
                await RefuseIfAnyAsync(session, $"SELECT 1 FROM {src} WHERE {c} IS NOT NULL AND ({predicate}) LIMIT 1",
                    $"Column {map.SourceName} changes from {map.Source.ColumnType} to {map.Shadow.ColumnType}, and existing values do not fit; the copy would cut them. Widen the type or fix the data first.", cancellationToken).ConfigureAwait(false);
            }

            if (map.Source.DataType == "enum" && map.Shadow.DataType == "enum" && !EnumValues(map.Shadow.ColumnType).Take(EnumValues(map.Source.ColumnType).Count).SequenceEqual(EnumValues(map.Source.ColumnType)))
            {
                throw new PreflightRefusedException(RefusalReason.AlterRejected, $"The ALTER reorders or removes ENUM values of {map.SourceName}; only appending values is safe online. Nothing was changed.");
            }
        }
    }

    /// <summary>A predicate true for a value that does not fit the new type, or null when no probe applies.</summary>
    internal static string? Narrowing(MyColumn target, string column)
    {
        var length = Length(target.ColumnType);
        var unsigned = target.IsUnsigned;
        return target.DataType switch
        {
            "char" or "varchar" when length is { } n => $"CHAR_LENGTH({column}) > {n}",
            "binary" or "varbinary" when length is { } n => $"LENGTH({column}) > {n}",
            "tinytext" or "tinyblob" => $"LENGTH({column}) > 255",
            "text" or "blob" => $"LENGTH({column}) > 65535",
            "mediumtext" or "mediumblob" => $"LENGTH({column}) > 16777215",
            "tinyint" => Range(column, unsigned ? 0 : -128, unsigned ? 255 : 127),
            "smallint" => Range(column, unsigned ? 0 : -32768, unsigned ? 65535 : 32767),
            "mediumint" => Range(column, unsigned ? 0 : -8388608, unsigned ? 16777215 : 8388607),
            "int" or "integer" => Range(column, unsigned ? 0 : int.MinValue, unsigned ? uint.MaxValue : int.MaxValue),
            "bigint" when unsigned => $"{column} < 0",
            "decimal" when Scale(target.ColumnType) is var (p, s) && p > 0 => $"{column} <> ROUND({column}, {s}) OR ABS({column}) >= POW(10, {p - s})",
            _ => null,
        };
    }

    /// <summary>The charset of a collation name (utf8mb4_general_ci → utf8mb4); only [a-z0-9] so it is safe in SQL.</summary>
    internal static string Charset(string collation)
    {
        var name = collation.Split('_')[0];
        return name.All(char.IsAsciiLetterOrDigit) ? name : throw new InvalidOperationException($"unexpected collation name {collation}");
    }

    private static string Range(string column, long min, long max) => $"{column} < {min} OR {column} > {max}";

    private static int? Length(string columnType)
    {
        var open = columnType.IndexOf('(', StringComparison.Ordinal);
        var close = columnType.IndexOf(')', StringComparison.Ordinal);
        return open > 0 && close > open && int.TryParse(columnType[(open + 1)..close], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static (int Precision, int Scale) Scale(string columnType)
    {
        var open = columnType.IndexOf('(', StringComparison.Ordinal);
        var close = columnType.IndexOf(')', StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            return (0, 0);
        }

        var parts = columnType[(open + 1)..close].Split(',');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0);
    }

    internal static List<string> EnumValues(string columnType) =>
        MySqlAlterText.Clauses(columnType[(columnType.IndexOf('(', StringComparison.Ordinal) + 1)..columnType.LastIndexOf(')')])
            .Select(c => c.Count > 0 ? c[0].Text : string.Empty).ToList();

    private static async Task RefuseIfAnyAsync(MySqlSession session, string probe, string message, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(probe, cancellationToken).ConfigureAwait(false);
        if (rows.Rows.Count > 0)
        {
            throw new PreflightRefusedException(RefusalReason.AlterRejected, message + " Nothing was changed.");
        }
    }
}
