using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using Portcullis.Check.Catalog;
using Portcullis.Check.Probing;

namespace Portcullis.Check.Tls;

/// <summary><c>tls-versions</c>, <c>tls-certificate</c> and <c>http2</c>: what the TLS listener offers.</summary>
internal static class TlsChecks
{
    /// <summary>Under this many days left the certificate check warns: automatic renewal has stalled.</summary>
    private const int ExpiryWarningDays = 14;

    public static async Task<TlsFindings> RunAsync(ProbeTarget target, CheckOptions options, CertificateTrust trust, CancellationToken cancellationToken)
    {
        // One handshake as a browser makes it (certificate, ALPN), then one per version.
        var browser = await TlsHandshake.RunAsync(target, SslProtocols.None, options.Timeout, cancellationToken);
        var tls13 = await TlsHandshake.RunAsync(target, SslProtocols.Tls13, options.Timeout, cancellationToken);
        var tls12 = await TlsHandshake.RunAsync(target, SslProtocols.Tls12, options.Timeout, cancellationToken);
        var tls11 = await LegacyTlsProbe.OffersAsync(target, LegacyTlsProbe.Tls11, options.Timeout, cancellationToken);
        var tls10 = await LegacyTlsProbe.OffersAsync(target, LegacyTlsProbe.Tls10, options.Timeout, cancellationToken);

        if (!browser.Connected)
        {
            var error = browser.Error!;
            return new TlsFindings(
                [CheckCatalog.Fail(CheckIds.TlsVersions, error), CheckCatalog.Fail(CheckIds.TlsCertificate, error), CheckCatalog.Fail(CheckIds.Http2, error)],
                CertificateTrusted: false);
        }

        var versions = Versions(tls13.Succeeded, tls12.Succeeded, tls11 == LegacyTlsAnswer.Offered, tls10 == LegacyTlsAnswer.Offered, browser.Error);
        var (certificate, trusted) = Certificate(target, options, trust, browser);
        var http2 = !browser.Succeeded
            ? CheckCatalog.Fail(CheckIds.Http2, $"TLS handshake failed: {browser.Error}")
            : browser.ApplicationProtocol == SslApplicationProtocol.Http2
                ? CheckCatalog.Pass(CheckIds.Http2, "ALPN chose h2")
                : CheckCatalog.Warn(CheckIds.Http2, $"ALPN chose {Describe(browser.ApplicationProtocol)}: HTTP/1.1 only, so no multiplexing and no WebSockets over HTTP/2");
        return new TlsFindings([versions, certificate, http2], trusted);
    }

    private static CheckResult Versions(bool tls13, bool tls12, bool tls11, bool tls10, string? browserError)
    {
        var offered = new List<string>();
        if (tls10)
        {
            offered.Add("1.0");
        }

        if (tls11)
        {
            offered.Add("1.1");
        }

        if (tls12)
        {
            offered.Add("1.2");
        }

        if (tls13)
        {
            offered.Add("1.3");
        }

        var list = offered.Count == 0 ? "none" : "TLS " + string.Join(", ", offered);
        if (tls10 || tls11)
        {
            return CheckCatalog.Fail(CheckIds.TlsVersions, $"offers {list}: TLS 1.0 and 1.1 are deprecated (RFC 8996)");
        }

        if (!tls12 && !tls13)
        {
            return CheckCatalog.Fail(CheckIds.TlsVersions, $"no TLS 1.2 or 1.3 handshake succeeded ({browserError ?? "refused"})");
        }

        if (!tls13)
        {
            return CheckCatalog.Warn(CheckIds.TlsVersions, $"offers {list}: TLS 1.3 not offered");
        }

        return tls12
            ? CheckCatalog.Warn(CheckIds.TlsVersions, $"offers {list}: TLS 1.2 is still offered (fine for old clients; 1.3 alone is the default here)")
            : CheckCatalog.Pass(CheckIds.TlsVersions, $"offers {list} only (1.0 and 1.1 refused)");
    }

    private static (CheckResult Result, bool Trusted) Certificate(ProbeTarget target, CheckOptions options, CertificateTrust trust, TlsHandshakeResult browser)
    {
        if (browser.Certificate is not { } certificate)
        {
            return (CheckCatalog.Fail(CheckIds.TlsCertificate, $"no certificate received: {browser.Error ?? "handshake failed"}"), false);
        }

        var now = DateTimeOffset.UtcNow;
        var problems = trust.Problems(certificate, browser.Intermediates, target.Host, now);
        var daysLeft = (int)Math.Floor((certificate.NotAfter.ToUniversalTime() - now.UtcDateTime).TotalDays);
        var expiry = string.Create(CultureInfo.InvariantCulture, $"expires {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd} ({daysLeft} days left)");
        var subject = $"'{certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false)}' from '{certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, true)}'";
        if (problems.Count > 0)
        {
            var detail = $"{subject}: {string.Join("; ", problems)}; {expiry}";
            return (options.Insecure
                ? CheckCatalog.Warn(CheckIds.TlsCertificate, detail + " (accepted with --insecure)")
                : CheckCatalog.Fail(CheckIds.TlsCertificate, detail), false);
        }

        if (daysLeft < ExpiryWarningDays)
        {
            return (CheckCatalog.Warn(CheckIds.TlsCertificate, $"{subject} valid for {target.Host}, but {expiry}: renewal is overdue"), true);
        }

        return (CheckCatalog.Pass(CheckIds.TlsCertificate, $"{subject} valid for {target.Host}, {expiry}"), true);
    }

    private static string Describe(SslApplicationProtocol protocol) =>
        protocol.Protocol.IsEmpty ? "nothing" : protocol.ToString();
}

/// <summary>The TLS results, and whether the certificate verified (a token is sent only then).</summary>
internal sealed record TlsFindings(IReadOnlyList<CheckResult> Results, bool CertificateTrusted);
