using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;

namespace ShadowCopy.Postgres;

/// <summary>PostgreSQL quoting. Every identifier and DDL literal goes through here.</summary>
public sealed class PgDialect : ISqlDialect
{
    public static readonly PgDialect Instance = new();

    /// <summary>NAMEDATALEN - 1 on a default build.</summary>
    public int MaxIdentifierBytes => 63;

    public string QuoteIdentifier(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Length == 0 || identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("PostgreSQL identifiers cannot be empty or contain NUL.", nameof(identifier));
        }

        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// A standard-conforming string literal; our sessions set standard_conforming_strings=on so a
    /// backslash is an ordinary character. NUL cannot be stored in PostgreSQL text at all.
    /// </summary>
    public string QuoteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("PostgreSQL text cannot contain NUL.", nameof(value));
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    public string Qualified(TableName table) => QuoteIdentifier(table.Schema) + "." + QuoteIdentifier(table.Name);

    public string Qualified(string schema, string name) => QuoteIdentifier(schema) + "." + QuoteIdentifier(name);
}
