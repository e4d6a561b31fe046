namespace ShadowCopy.MySql.Protocol;

/// <summary>TLS policy, with the meaning of the MySQL client's --ssl-mode.</summary>
public enum MySqlSslMode
{
    /// <summary>Never use TLS.</summary>
    Disabled,
    /// <summary>Use TLS when the server offers it, otherwise continue in clear (certificate not checked).</summary>
    Preferred,
    /// <summary>Refuse servers without TLS; the certificate is not checked.</summary>
    Required,
    /// <summary>TLS with a certificate chained to a trusted (or the configured) CA; host name not checked.</summary>
    VerifyCA,
    /// <summary>TLS with a trusted certificate whose name matches the host.</summary>
    VerifyFull,
}
