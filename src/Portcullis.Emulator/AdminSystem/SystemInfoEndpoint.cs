using Microsoft.AspNetCore.Http;
using Portcullis.Emulator.Configuration;
using Portcullis.Emulator.Forwarding;
using Portcullis.Emulator.Hosting;

namespace Portcullis.Emulator.AdminSystem;

/// <summary>
/// authentik's admin "System" view, without the admin token: what host, scheme, client IP and
/// headers arrived after the proxy. GET and POST, like authentik's SystemView.
/// </summary>
internal sealed class SystemInfoEndpoint
{
    private readonly EffectiveRequestResolver _resolver;
    private readonly EmulatorSettings _settings;
    private readonly TimeProvider _time;

    public SystemInfoEndpoint(EffectiveRequestResolver resolver, EmulatorSettings settings, TimeProvider time)
    {
        _resolver = resolver;
        _settings = settings;
        _time = time;
    }

    public Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var effective = _resolver.Resolve(context);

        // Header names as Kestrel hands them over; repeated lines joined with ", ", the
        // RFC 9110 section 5.3 equivalent of one comma-separated line.
        var headers = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values.ToArray());
        }

        var info = new SystemInfo(
            HttpHeaders: headers,
            HttpHost: effective.Host,
            HttpIsSecure: effective.IsSecure,
            ClientIp: effective.ClientIp,
            PeerIp: effective.PeerIp.ToString(),
            PeerTrusted: effective.PeerTrusted,
            ClientIpMode: _settings.ClientIpMode.ToString(),
            Scheme: effective.Scheme,
            HttpVersion: request.Protocol,
            Method: request.Method,
            Path: request.PathBase + request.Path,
            WebPath: _settings.WebPath,
            ServerTime: _time.GetUtcNow());
        return EmulatorJson.WriteAsync(context, StatusCodes.Status200OK, info, EmulatorJson.Context.SystemInfo);
    }
}
