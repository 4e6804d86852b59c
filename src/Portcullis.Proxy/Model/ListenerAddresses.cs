namespace Portcullis.Proxy.Model;

/// <summary>The addresses actually bound once the server has started (port 0 resolved).</summary>
public sealed class ListenerAddresses
{
    public IReadOnlyList<Uri> Http { get; internal set; } = [];

    public IReadOnlyList<Uri> Https { get; internal set; } = [];

    /// <summary>The admin listener (metrics, health), null when admin.listen is not set. Never in <see cref="Http"/>.</summary>
    public Uri? Admin { get; internal set; }

    /// <summary>The first HTTPS port, used in redirects unless listen.https_port says otherwise.</summary>
    public int HttpsPort => Https.Count > 0 ? Https[0].Port : 443;
}
