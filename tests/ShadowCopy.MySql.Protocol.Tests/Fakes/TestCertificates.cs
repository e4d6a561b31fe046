using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ShadowCopy.MySql.Protocol.Tests.Fakes;

/// <summary>A throwaway self-signed server certificate for localhost / 127.0.0.1.</summary>
internal static class TestCertificates
{
    private static readonly Lazy<(X509Certificate2 Certificate, string PemPath)> Server = new(Create);

    public static X509Certificate2 Certificate => Server.Value.Certificate;

    /// <summary>PEM file of the certificate, usable as SslCaPath.</summary>
    public static string PemPath => Server.Value.PemPath;

    private static (X509Certificate2, string) Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        var path = Path.Combine(Path.GetTempPath(), $"shadowcopy-test-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return (certificate, path);
    }
}
