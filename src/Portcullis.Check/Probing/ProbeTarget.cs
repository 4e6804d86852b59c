namespace Portcullis.Check.Probing;

/// <summary>The deployment's addresses as the checker derives them from <see cref="CheckOptions"/>, once.</summary>
internal sealed class ProbeTarget
{
    public ProbeTarget(CheckOptions options)
    {
        if (!options.Url.IsAbsoluteUri || options.Url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"The URL must be an absolute https:// URL, not '{options.Url}'.", nameof(options));
        }

        // The URL's path is the web path; everything below it is relative to it.
        var builder = new UriBuilder(options.Url) { Query = string.Empty, Fragment = string.Empty };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        BaseUrl = builder.Uri;
        HttpUrl = options.HttpUrl ?? new UriBuilder(Uri.UriSchemeHttp, BaseUrl.Host, 80).Uri;
        if (HttpUrl.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The HTTP URL must be an http:// URL, not '{HttpUrl}'.", nameof(options));
        }
    }

    /// <summary>The HTTPS base URL, ending in "/".</summary>
    public Uri BaseUrl { get; }

    /// <summary>Where plain HTTP is probed.</summary>
    public Uri HttpUrl { get; }

    /// <summary>The name for SNI, certificate matching and Host (IPv6 without brackets).</summary>
    public string Host => BaseUrl.IdnHost.Trim('[', ']');

    public int Port => BaseUrl.Port;

    /// <summary>host[:port] as a browser sends it in Host and Origin: the port only when not 443.</summary>
    public string Authority => BaseUrl.Authority;

    /// <summary>The Origin a browser sends from a page of this site.</summary>
    public string Origin => "https://" + Authority;

    /// <summary>The web path, e.g. "/" or "/authentik/".</summary>
    public string WebPath => BaseUrl.AbsolutePath;

    public Uri Https(string relative) => new(BaseUrl, relative);

    public Uri Wss(string relative) => new UriBuilder(Https(relative)) { Scheme = "wss" }.Uri;
}
