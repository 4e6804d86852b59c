using System.Security.Authentication;

namespace Portcullis.Proxy.Configuration;

/// <summary>Reads a site's tls: into a <see cref="SiteTlsConfig"/>.</summary>
internal static class SiteTlsConfigReader
{
    public static SiteTlsConfig Read(ConfigSection section)
    {
        var defaults = new SiteTlsConfig();
        var certificate = section.FilePath("certificate");
        var privateKey = section.FilePath("key");
        if ((certificate is null) != (privateKey is null))
        {
            section.SectionError("certificate and key go together.", "give both PEM files (fullchain.pem and privkey.pem), or neither for a generated self-signed certificate.");
        }

        var minVersion = defaults.MinVersion;
        if (section.Scalar("min_version") is { } versionNode)
        {
            switch (versionNode.Value)
            {
                case "1.3": minVersion = SslProtocols.Tls13; break;
                case "1.2": minVersion = SslProtocols.Tls12 | SslProtocols.Tls13; break;
                default: section.Error("min_version", versionNode, $"TLS {versionNode.Value} is not offered.", "use \"1.3\" (default) or \"1.2\" for old clients; older versions are broken (RFC 8996)."); break;
            }
        }

        return new SiteTlsConfig { CertificatePath = certificate, KeyPath = privateKey, MinVersion = minVersion, Acme = section.Bool("acme") ?? defaults.Acme };
    }
}
