namespace Portcullis.Proxy.Configuration;

/// <summary>Reads a route's upstream_tls: into an <see cref="UpstreamTlsConfig"/>.</summary>
internal static class UpstreamTlsConfigReader
{
    public static UpstreamTlsConfig Read(ConfigSection section)
    {
        var defaults = UpstreamTlsConfig.Default;
        var verify = section.Bool("verify") ?? defaults.Verify;
        var caPath = section.FilePath("ca") ?? defaults.CaPath;
        var pins = new List<string>();
        foreach (var (item, value) in section.Texts("pin_sha256") ?? [])
        {
            var bytes = new byte[32];
            if (Convert.TryFromBase64String(value, bytes, out var written) && written == 32)
            {
                pins.Add(value);
            }
            else
            {
                section.Error("pin_sha256", item, $"'{value}' is not a base64 SHA-256 hash.", "copy the pin from Portcullis's 502 page or log, or compute it with: openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64.");
            }
        }

        var serverName = section.Text("server_name") ?? defaults.ServerName;
        var read = new UpstreamTlsConfig { Verify = verify, CaPath = caPath, PinSha256 = pins, ServerName = serverName };
        // One instance for the common case: an absent or empty upstream_tls is the default.
        return read.Equals(defaults) ? defaults : read;
    }
}
