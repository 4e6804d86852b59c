using System.Net;
using Portcullis.Check.Catalog;
using Portcullis.Check.Probing;

namespace Portcullis.Check.Upstream;

/// <summary>
/// The checks read off the upstream's system view: scheme, host, client IP and HTTP version as
/// the identity provider saw them after the proxy.
/// </summary>
internal static class ForwardingChecks
{
    /// <summary>A public address no hop on the path owns: the client IP the spoofing probes forge.</summary>
    public const string ForgedAddress = "6.6.6.6";

    public static CheckResult ForwardedProto(SystemViewSnapshot view)
    {
        if (view.HttpIsSecure)
        {
            return CheckCatalog.Pass(CheckIds.ForwardedProto, $"upstream sees https (X-Forwarded-Proto: {view.Header("X-Forwarded-Proto") ?? "absent"})");
        }

        var proto = view.Header("X-Forwarded-Proto");
        var why = proto is null
            ? "the proxy sent no X-Forwarded-Proto"
            : view.PeerTrusted == false
                ? $"X-Forwarded-Proto: {proto} was ignored: the proxy's address {view.PeerIp} is not in the upstream's trusted proxy CIDRs"
                : $"X-Forwarded-Proto: {proto}";
        return CheckCatalog.Fail(CheckIds.ForwardedProto, $"upstream sees http: {why}; authentik then builds http:// URLs and rejects form posts");
    }

    public static CheckResult HostPort(SystemViewSnapshot view, ProbeTarget target)
    {
        if (string.Equals(view.HttpHost, target.Authority, StringComparison.OrdinalIgnoreCase))
        {
            return CheckCatalog.Pass(CheckIds.HostPort, $"upstream sees host {view.HttpHost}");
        }

        var sent = view.Header("Host");
        return CheckCatalog.Fail(CheckIds.HostPort,
            $"upstream sees host {view.HttpHost} (Host: {sent ?? "absent"}, X-Forwarded-Host: {view.Header("X-Forwarded-Host") ?? "absent"}), expected {target.Authority}");
    }

    public static CheckResult ClientIp(SystemViewSnapshot view, IPAddress? local)
    {
        var seen = $"upstream concluded {view.ClientIp ?? "nothing"}{(view.ClientIpDerived ? " (derived by authentik's leftmost rule)" : string.Empty)}; it saw {view.DescribeClientIpHeaders()}";
        if (local is null)
        {
            return CheckCatalog.Skip(CheckIds.ClientIp, $"the checker's own address is unknown; {seen}");
        }

        var concluded = view.ClientAddress;
        if (concluded is not null && concluded.Equals(local))
        {
            return CheckCatalog.Pass(CheckIds.ClientIp, $"upstream concluded {concluded}, the checker's address");
        }

        // Behind NAT the checker only knows its private address; a public conclusion may be right.
        if (concluded is not null && Addresses.IsPrivate(local) && !Addresses.IsPrivate(concluded) && !concluded.Equals(IPAddress.Broadcast))
        {
            return CheckCatalog.Warn(CheckIds.ClientIp, $"{seen}; the checker connected from {local} (behind NAT?): confirm {concluded} is this network's public address");
        }

        var hint = concluded is null ? string.Empty
            : concluded.Equals(IPAddress.Broadcast) ? " (255.255.255.255: an entry that is not a bare IP, e.g. ip:port)"
            : view.PeerIp is not null && concluded.Equals(Addresses.Parse(view.PeerIp)) ? " (the proxy's own address: client IP not forwarded or not believed)"
            : string.Empty;
        return CheckCatalog.Fail(CheckIds.ClientIp, $"{seen}{hint}; the checker connected from {local}");
    }

    public static CheckResult Spoof(string id, string header, string forged, SystemViewFetch fetch)
    {
        if (fetch.Snapshot is not { } view)
        {
            return CheckCatalog.Fail(id, $"with {header}: {forged} the system view answered {fetch.Describe()}");
        }

        var reached = view.ClientIpHeadersContaining(ForgedAddress);
        if (view.ClientAddress is { } concluded && concluded.Equals(IPAddress.Parse(ForgedAddress)))
        {
            return CheckCatalog.Fail(id, $"sent {header}: {forged}; upstream concluded client IP {ForgedAddress}; it saw {view.DescribeClientIpHeaders()}");
        }

        if (reached.Count > 0)
        {
            return CheckCatalog.Fail(id,
                $"sent {header}: {forged}; client IP stayed {view.ClientIp}, but the forged value reached the upstream as {string.Join("; ", reached)}: "
                + "an upstream that reads the leftmost entry (authentik up to 2026.5, Django) takes it");
        }

        return CheckCatalog.Pass(id, $"sent {header}: {forged}; client IP stayed {view.ClientIp}; upstream saw {view.DescribeClientIpHeaders()}");
    }

    public static CheckResult UpstreamHttp11(SystemViewSnapshot view)
    {
        if (!view.IsEmulator || view.HttpVersion is null)
        {
            return CheckCatalog.Skip(CheckIds.UpstreamHttp11, "needs the Portcullis emulator: authentik's system view shows its internal hop, not the proxy's");
        }

        return view.HttpVersion switch
        {
            "HTTP/1.1" => CheckCatalog.Pass(CheckIds.UpstreamHttp11, "upstream saw HTTP/1.1"),
            "HTTP/2" or "HTTP/3" => CheckCatalog.Pass(CheckIds.UpstreamHttp11, $"upstream saw {view.HttpVersion}"),
            _ => CheckCatalog.Fail(CheckIds.UpstreamHttp11, $"upstream saw {view.HttpVersion}: no keep-alive, no WebSocket upgrade"),
        };
    }
}
