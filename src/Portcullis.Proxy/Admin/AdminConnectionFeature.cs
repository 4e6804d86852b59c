namespace Portcullis.Proxy.Admin;

/// <summary>
/// Marks a connection accepted on the admin listener. Set by the listener's connection middleware
/// and read per request, so the admin endpoints answer only there and the proxy handler never sees
/// the admin listener's requests, whatever their Host or path.
/// </summary>
public sealed class AdminConnectionFeature
{
    public static readonly AdminConnectionFeature Instance = new();

    private AdminConnectionFeature()
    {
    }
}
