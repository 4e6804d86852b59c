namespace Portcullis.Proxy.Configuration;

/// <summary>Well-known ACME directory URLs.</summary>
public static class AcmeDirectories
{
    /// <summary>
    /// Let's Encrypt's production directory, the default for a site that asks for automatic
    /// certificates. Tests never use it: they run against a local pebble.
    /// </summary>
    public const string LetsEncryptProduction = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>Let's Encrypt's staging directory: untrusted certificates, generous rate limits.</summary>
    public const string LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory";
}
