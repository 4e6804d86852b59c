using System.Security.Cryptography;
using System.Text;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// The files of one ACME directory (CA) under data_dir:
/// <code>
/// acme/&lt;ca&gt;/account.key               the account key, PKCS#8 PEM, 0600
/// acme/&lt;ca&gt;/order.lock                one order at a time (see AcmeOrderLock)
/// acme/&lt;ca&gt;/sites/&lt;site&gt;/fullchain.pem   the chain, leaf first, 0644
/// acme/&lt;ca&gt;/sites/&lt;site&gt;/privkey.pem     its key, PKCS#8 PEM, 0600
/// </code>
/// (certbot's file names, so an operator finds them familiar). Every file is written atomically
/// by rename. The key is written before the chain: a crash in between leaves a key that does not
/// match the chain, which loading rejects, so the site is ordered again rather than served broken.
/// </summary>
public sealed class AcmeStore
{
    public AcmeStore(string dataDirectory, Uri directoryUrl)
    {
        Root = Path.Combine(dataDirectory, "acme", DirectoryName(directoryUrl));
    }

    /// <summary>This CA's directory under data_dir.</summary>
    public string Root { get; }

    public string AccountKeyPath => Path.Combine(Root, "account.key");

    public string LockPath => Path.Combine(Root, "order.lock");

    /// <summary>The account key, or null when none was created yet.</summary>
    public ECDsa? LoadAccountKey()
    {
        string pem;
        try
        {
            pem = File.ReadAllText(AccountKeyPath);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new CryptographicException($"the ACME account key {AccountKeyPath} is damaged: restore it, or delete it to register a new account", exception);
        }
    }

    public void SaveAccountKey(ECDsa key) => AtomicFile.Write(AccountKeyPath, key.ExportPkcs8PrivateKeyPem(), AtomicFile.OwnerOnly);

    /// <summary>The stored certificate for these hosts, or null when none is stored or it is damaged.</summary>
    public AcmeCertificate? LoadCertificate(IReadOnlyList<string> hosts)
    {
        var directory = SiteDirectory(hosts);
        try
        {
            return AcmeCertificate.FromPem(File.ReadAllText(Path.Combine(directory, "fullchain.pem")), File.ReadAllText(Path.Combine(directory, "privkey.pem")));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException or CryptographicException or ArgumentException)
        {
            return null; // missing, half-written by a crash, or the key of another chain: order again
        }
    }

    public void SaveCertificate(IReadOnlyList<string> hosts, AcmeCertificate certificate)
    {
        var directory = SiteDirectory(hosts);
        AtomicFile.Write(Path.Combine(directory, "privkey.pem"), certificate.KeyPem, AtomicFile.OwnerOnly);
        AtomicFile.Write(Path.Combine(directory, "fullchain.pem"), certificate.ChainPem, AtomicFile.WorldReadable);
    }

    /// <summary>
    /// A site's directory: its first host, readable for the operator, and a hash of all its hosts
    /// in order-independent form, so another set of hosts never reads this certificate.
    /// </summary>
    public string SiteDirectory(IReadOnlyList<string> hosts)
    {
        var sorted = hosts.Select(host => host.ToLowerInvariant()).Order(StringComparer.Ordinal);
        return Path.Combine(Root, "sites", Readable(hosts[0]) + "-" + ShortHash(string.Join(',', sorted)));
    }

    private static string DirectoryName(Uri directoryUrl) => Readable(directoryUrl.Authority) + "-" + ShortHash(directoryUrl.AbsoluteUri);

    private static string Readable(string text)
    {
        var readable = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            readable.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' ? c : '_');
        }

        return readable.ToString();
    }

    private static string ShortHash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
