namespace Portcullis.Proxy.Configuration;

/// <summary>Reads a route's or a site's forward_auth: into a <see cref="ForwardAuthConfig"/>.</summary>
internal static class ForwardAuthConfigReader
{
    public static ForwardAuthConfig Read(ConfigSection section)
    {
        Uri? outpost = null;
        if (section.Scalar("outpost") is { } node)
        {
            if (Uri.TryCreate(node.Value, UriKind.Absolute, out var uri) && (uri.Scheme is "http" or "https") && uri.UserInfo.Length == 0
                && uri.AbsolutePath == "/" && uri.Query.Length == 0)
            {
                outpost = uri;
            }
            else
            {
                // The outpost's endpoints live under /outpost.goauthentik.io on its root; a path here
                // would be sent the checks at the wrong place.
                section.Error("outpost", node, $"'{node.Value}' is not an outpost URL.",
                    "write the outpost's base URL with no path, e.g. http://authentik-server:9000 (the embedded outpost) or http://outpost:9000.");
            }
        }
        else
        {
            section.SectionError("forward_auth needs the outpost's URL.", "forward_auth: { outpost: http://authentik-server:9000 }.");
        }

        var defaults = new ForwardAuthConfig { Outpost = outpost ?? new Uri("http://outpost.invalid") };
        return defaults with
        {
            UpstreamTls = section.Section("upstream_tls", UpstreamTlsConfigReader.Read),
            Timeout = section.Duration("timeout") ?? defaults.Timeout,
            Location = section.Location,
        };
    }
}
