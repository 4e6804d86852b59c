namespace Portcullis.Proxy.Admin;

/// <summary>
/// The labels of one route in the metrics: the site by its first host name (each host belongs to
/// one site, so it names the site uniquely) and the route by its path prefix. Both come from the
/// configuration, never from a request, so the number of series is bounded by the config.
/// </summary>
public sealed record RouteLabels(string Site, string Route)
{
    /// <summary>For requests that matched no site or no route (421, 404).</summary>
    public static readonly RouteLabels None = new("none", "none");
}
