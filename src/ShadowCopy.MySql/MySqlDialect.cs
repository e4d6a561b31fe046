using ShadowCopy.Core.Sql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>MySQL/MariaDB quoting through the wire client's one escaping path.</summary>
public sealed class MySqlDialect : ISqlDialect
{
    public static readonly MySqlDialect Instance = new();

    public int MaxIdentifierBytes => 64;

    public string QuoteIdentifier(string identifier) => MySqlEscaping.QuoteIdentifier(identifier);

    public string QuoteLiteral(string value) => MySqlEscaping.QuoteString(value, noBackslashEscapes: false);
}
