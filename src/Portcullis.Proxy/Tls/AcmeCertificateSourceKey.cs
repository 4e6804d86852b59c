using System.Security.Authentication;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// What an <see cref="AcmeCertificateSource"/> depends on. A reload that leaves all of it unchanged
/// keeps the running source (and its issuer, backoff and pending order) instead of starting anew;
/// the acme section's line is not part of it, so moving it in the file changes nothing.
/// </summary>
public readonly record struct AcmeCertificateSourceKey(string Hosts, string Email, Uri Directory, string? CaPath, DateTime CaWritten, string Challenges, string DataDirectory, SslProtocols Protocols)
{
    public static AcmeCertificateSourceKey For(IReadOnlyList<string> hosts, AcmeConfig acme, IReadOnlyList<string> challenges, string dataDirectory, SslProtocols protocols) =>
        new(string.Join(",", hosts.Select(host => host.ToLowerInvariant())), acme.Email, acme.Directory, acme.CaPath,
            acme.CaPath is null ? default : File.GetLastWriteTimeUtc(acme.CaPath), string.Join(",", challenges), dataDirectory, protocols);
}
