using System.Security.Cryptography.X509Certificates;

namespace Portcullis.Check.Tls;

/// <summary>
/// Judges a server certificate the way a browser would: chain to a trusted root (the system
/// store, or only the roots of <see cref="CheckOptions.CaFile"/>), the host among its names, in
/// its validity period. Revocation is not checked: that needs the internet, and browsers soft-fail it.
/// </summary>
internal sealed class CertificateTrust
{
    private readonly X509Certificate2Collection? _roots;

    private CertificateTrust(X509Certificate2Collection? roots) => _roots = roots;

    public static CertificateTrust Create(string? caFile)
    {
        if (caFile is null)
        {
            return new CertificateTrust(null);
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        if (roots.Count == 0)
        {
            throw new ArgumentException($"{caFile} holds no PEM certificate.", nameof(caFile));
        }

        return new CertificateTrust(roots);
    }

    /// <summary>Every problem found, empty when a browser would accept the certificate for <paramref name="host"/>.</summary>
    public IReadOnlyList<string> Problems(X509Certificate2 certificate, IEnumerable<X509Certificate2> intermediates, string host, DateTimeOffset now)
    {
        var problems = new List<string>();
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        if (_roots is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        }

        if (!chain.Build(certificate))
        {
            var statuses = chain.ChainStatus
                .Where(status => status.Status != X509ChainStatusFlags.NoError)
                .Select(status => status.Status == X509ChainStatusFlags.UntrustedRoot || status.Status == X509ChainStatusFlags.PartialChain
                    ? (_roots is null ? "not issued by a CA this machine trusts" : "not issued by a CA in the CA file")
                    : status.StatusInformation.Trim())
                .Where(text => text.Length > 0)
                .Distinct();
            problems.AddRange(statuses);
            if (problems.Count == 0)
            {
                problems.Add("the chain does not verify");
            }
        }

        if (!certificate.MatchesHostname(host))
        {
            problems.Add($"not valid for {host} (names: {string.Join(", ", Names(certificate))})");
        }

        return problems;
    }

    public static IEnumerable<string> Names(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return [certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false)];
        }

        return san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(address => address.ToString()));
    }
}
