namespace ShadowCopy.Core.Sql;

/// <summary>Pure SQL text builders of one engine; no I/O.</summary>
public interface ISqlDialect
{
    /// <summary>Quotes an identifier, doubling the quote character. The only way names enter SQL.</summary>
    string QuoteIdentifier(string identifier);

    /// <summary>Quotes a string literal for statements that cannot take parameters (DDL).</summary>
    string QuoteLiteral(string value);

    /// <summary>The engine's identifier length limit in bytes.</summary>
    int MaxIdentifierBytes { get; }
}
