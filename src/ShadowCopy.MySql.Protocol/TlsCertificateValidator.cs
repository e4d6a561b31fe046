using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ShadowCopy.MySql.Protocol;

/// <summary>Server certificate checks per <see cref="MySqlSslMode"/>.</summary>
internal static class TlsCertificateValidator
{
    public static bool IsVerified(MySqlSslMode mode) => mode is MySqlSslMode.VerifyCA or MySqlSslMode.VerifyFull;

    public static RemoteCertificateValidationCallback Create(MySqlSslMode mode, string? caPath)
    {
        X509Certificate2Collection? roots = null;
        if (caPath is not null && IsVerified(mode))
        {
            roots = [];
            roots.ImportFromPemFile(caPath);
        }

        return (_, certificate, chain, errors) => Validate(mode, roots, certificate, chain, errors);
    }

    /// <summary>The client certificate (PEM certificate and key files) to present when the server asks for one; null when none is configured.</summary>
    public static X509CertificateCollection? ClientCertificates(string? certPath, string? keyPath)
    {
        if (certPath is null)
        {
            return null;
        }

        using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);

        // SslStream needs the key in a form the platform's TLS stack can use (an ephemeral PEM key is not, on Linux).
        return [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
    }

    internal static bool Validate(MySqlSslMode mode, X509Certificate2Collection? roots, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!IsVerified(mode))
        {
            // Preferred/Required encrypt but do not authenticate the server; such a channel never carries a clear-text password.
            return true;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 || certificate is null)
        {
            return false;
        }

        if (mode == MySqlSslMode.VerifyFull && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0)
        {
            return true;
        }

        if (roots is null || roots.Count == 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (certificate is X509Certificate2 typed)
        {
            return custom.Build(typed);
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }
}
