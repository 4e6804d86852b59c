using System.Buffers;
using System.Collections;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Portcullis.Proxy.Configuration;
using Portcullis.Proxy.Forwarding;
using Portcullis.Proxy.Hosting.ProxyProtocol;
using Portcullis.Proxy.Model;
using Portcullis.Proxy.Tls;
using Portcullis.Testing;

namespace Portcullis.Fuzz;

/// <summary>An invariant the code under test broke: reported as a crash, like an exception it threw.</summary>
public sealed class InvariantException(string message) : Exception(message);

public delegate void Target(ReadOnlySpan<byte> data);

public static class Targets
{
    public static readonly IReadOnlyDictionary<string, Target> All = new Dictionary<string, Target>
    {
        ["config"] = Config,
        ["headers"] = Headers,
        ["proxyheader"] = ProxyHeader,
        ["clienthello"] = ClientHello,
    };

    // The protocol tls-alpn-01 looks for (RFC 8737 §6.2), and one every browser offers.
    private static readonly byte[][] AlpnProtocols = [Encoding.ASCII.GetBytes("acme-tls/1"), Encoding.ASCII.GetBytes("h2")];

    private static readonly string BaseDirectory = Path.Combine(Path.GetTempPath(), "portcullis-fuzz-base");

    /// <summary>
    /// ConfigLoader.LoadText either returns a config or throws ConfigException; anything else is a
    /// bug. Input: YAML text, optionally followed by a line "--- env" and NAME=VALUE lines that are
    /// passed as the environment (PORTCULLIS_* overrides).
    /// </summary>
    public static void Config(ReadOnlySpan<byte> data)
    {
        var text = Encoding.UTF8.GetString(data);
        Hashtable? environment = null;
        var split = text.IndexOf("\n--- env\n", StringComparison.Ordinal);
        if (split >= 0)
        {
            environment = [];
            foreach (var line in text[(split + 9)..].Split('\n'))
            {
                var eq = line.IndexOf('=');
                if (eq > 0)
                {
                    environment[line[..eq]] = line[(eq + 1)..];
                }
            }

            text = text[..split];
        }

        try
        {
            ConfigLoader.LoadText(text, "fuzz.yaml", BaseDirectory, environment);
        }
        catch (ConfigException)
        {
        }
    }

    /// <summary>
    /// Forwarded headers and request screening on a DefaultHttpContext built from the input: no
    /// method may throw, and from an untrusted peer nothing spoofable may reach the upstream request
    /// (OutboundRequest, as the forwarders apply it) — judged by an oracle written apart from IsSpoofable. Input lines: first "peer trusted? scheme host",
    /// then "name: value" header lines (a name may repeat; \xNN is not decoded — bytes go as they are).
    /// </summary>
    public static void Headers(ReadOnlySpan<byte> data)
    {
        var lines = Encoding.UTF8.GetString(data).Split('\n');
        var first = lines[0].Split(' ');
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = first.Length > 0 && IPAddress.TryParse(first[0], out var peer) ? peer : null;
        var peerTrusted = first.Length > 1 && first[1] == "1";
        context.Request.Scheme = first.Length > 2 && first[2].Length > 0 ? first[2] : "https";
        if (first.Length > 3)
        {
            // The raw header, as Kestrel hands it over (the Host setter would IDN-encode it and throw
            // on what Kestrel never lets through).
            context.Request.Headers.Host = first[3];
        }

        context.Request.Protocol = first.Length > 4 ? first[4] : "HTTP/1.1";
        var headers = context.Request.Headers;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', 1 < line.Length ? 1 : 0);
            var name = colon > 0 ? line[..colon] : line;
            var value = colon > 0 ? line[(colon + 1)..].TrimStart(' ') : "";
            if (name.Length == 0)
            {
                continue;
            }

            headers[name] = StringValues.Concat(headers[name], value);
        }

        RequestScreening.Check(context.Request, 64 * 1024);
        var networks = new TrustedNetworks([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("::1/128")]);
        ForwardedHeaders.ClientAddress(context, networks);
        foreach (var name in headers.Keys.ToArray())
        {
            ForwardedHeaders.IsSpoofable(name);
        }

        // The peer is trusted when the input says so: trusted_proxies then holds its address.
        var remote = context.Connection.RemoteIpAddress;
        var trusted = peerTrusted && remote is not null
            ? new TrustedNetworks([new IPNetwork(remote, remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)])
            : TrustedNetworks.None;
        peerTrusted = trusted.Contains(remote);
        var outbound = OutboundRequest.Create(context, new PathPrefix("/", strip: false), trusted);
        using var proxyRequest = new HttpRequestMessage();
        foreach (var header in headers)
        {
            // As YARP copies the client's headers before the transform applies the decisions.
            proxyRequest.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
        }

        outbound.ApplyTo(proxyRequest);

        var set = outbound.Headers.Select(h => h.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in headers.Keys)
        {
            if (OracleSpoofable(name) && !(peerTrusted && IsKeptFromTrustedPeer(name)))
            {
                if (!outbound.Replaces(name))
                {
                    throw new InvariantException($"'{name}' is not left behind (trusted: {peerTrusted})");
                }

                if (!set.Contains(name) && proxyRequest.Headers.NonValidated.Contains(name))
                {
                    throw new InvariantException($"'{name}' reached the upstream request (trusted: {peerTrusted})");
                }
            }
        }

        if (!peerTrusted)
        {
            var sent = outbound.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
            var expectedFor = ForwardedHeaders.FormatAddress(remote);
            if (sent[ForwardedHeaders.XForwardedFor] != expectedFor || sent[ForwardedHeaders.XForwardedProto] != context.Request.Scheme
                || sent[ForwardedHeaders.XForwardedHost] != (context.Request.Host.Value ?? ""))
            {
                throw new InvariantException($"untrusted peer's forwarded values came from its headers: {string.Join(", ", sent)}");
            }
        }
    }

    /// <summary>
    /// The PROXY protocol parser on the first bytes of a connection, as they are (the raw input):
    /// it never throws; a header it accepts lies within the input and the bound, is accepted from
    /// its own bytes alone and is incomplete one byte shorter; the result does not depend on how the
    /// pipe split the bytes; a v1 TCP4 header it accepts is exactly the canonical line for the
    /// addresses it returns, and a v2 one carries them byte for byte (proxy-protocol.txt 2.1, 2.2).
    /// </summary>
    public static void ProxyHeader(ReadOnlySpan<byte> data)
    {
        var bytes = data.ToArray();
        var result = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));
        foreach (var size in new[] { 1, 7 })
        {
            var split = ProxyHeaderParser.Parse(ByteSegment.Split(bytes, size));
            if (split != result)
            {
                throw new InvariantException($"in {size}-byte segments: {split.Status} {split.Reason}, contiguous: {result.Status} {result.Reason}");
            }
        }

        switch (result.Status)
        {
            case ProxyHeaderStatus.Invalid when string.IsNullOrEmpty(result.Reason):
                throw new InvariantException("invalid without a reason");
            case ProxyHeaderStatus.NeedMoreData when bytes.Length >= ProxyHeaderParser.MaxLength:
                throw new InvariantException($"asks for more after {bytes.Length} bytes, past the {ProxyHeaderParser.MaxLength}-byte bound");
            case ProxyHeaderStatus.Proxied or ProxyHeaderStatus.Local:
                CheckAccepted(bytes, result);
                break;
        }
    }

    /// <summary>
    /// The ClientHello ALPN scan on the first bytes of a connection, as they are, for "acme-tls/1" and
    /// "h2": it never throws; Offered only when the protocol's bytes, after their length byte, are in
    /// the input; NeedMoreData only while the input is shorter than its first record announces; a
    /// prefix's answer is NeedMoreData or the whole input's (checked for the first 64 prefixes and 16
    /// evenly spaced ones); the answer does not depend on where the bytes are split into two
    /// segments (at the same points), nor on 1- or 7-byte segments.
    /// </summary>
    public static void ClientHello(ReadOnlySpan<byte> data)
    {
        var bytes = data.ToArray();
        var cuts = Cuts(bytes.Length);
        foreach (var protocol in AlpnProtocols)
        {
            var name = Encoding.ASCII.GetString(protocol);
            var result = ClientHelloAlpn.Scan(new ReadOnlySequence<byte>(bytes), protocol);
            if (result == ClientHelloAlpnScan.Offered && bytes.AsSpan().IndexOf([(byte)protocol.Length, .. protocol]) < 0)
            {
                throw new InvariantException($"'{name}' offered, but its length and bytes are not in the input");
            }

            // RFC 8446 §5.1: the record header's last two bytes are the length of what follows it.
            var announced = bytes.Length >= 5 ? 5 + ((bytes[3] << 8) | bytes[4]) : int.MaxValue;
            if (result == ClientHelloAlpnScan.NeedMoreData && (bytes.Length >= announced || bytes.Length >= ClientHelloAlpn.MaxLength))
            {
                throw new InvariantException($"'{name}': asks for more after {bytes.Length} bytes, the first record announces {announced}");
            }

            foreach (var cut in cuts)
            {
                var prefix = ClientHelloAlpn.Scan(new ReadOnlySequence<byte>(bytes, 0, cut), protocol);
                if (prefix != ClientHelloAlpnScan.NeedMoreData && prefix != result)
                {
                    throw new InvariantException($"'{name}': the first {cut} bytes give {prefix}, all {bytes.Length} give {result}");
                }

                var first = new ByteSegment(bytes.AsMemory(0, cut), 0);
                var second = first.Append(bytes.AsMemory(cut));
                var split = ClientHelloAlpn.Scan(new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length), protocol);
                if (split != result)
                {
                    throw new InvariantException($"'{name}': split after {cut} bytes gives {split}, contiguous {result}");
                }
            }

            foreach (var size in new[] { 1, 7 })
            {
                var segmented = ClientHelloAlpn.Scan(ByteSegment.Split(bytes, size), protocol);
                if (segmented != result)
                {
                    throw new InvariantException($"'{name}': in {size}-byte segments {segmented}, contiguous {result}");
                }
            }
        }
    }

    /// <summary>Where to cut an input of <paramref name="length"/> bytes: each of the first 64 points, then 16 evenly spaced ones and the last.</summary>
    private static SortedSet<int> Cuts(int length)
    {
        var cuts = new SortedSet<int>(Enumerable.Range(0, Math.Min(length, 64)));
        for (var i = 1; i <= 16 && length > 0; i++)
        {
            cuts.Add((int)((long)length * i / 17));
        }

        if (length > 0)
        {
            cuts.Add(length - 1);
        }

        return cuts;
    }

    private static void CheckAccepted(byte[] bytes, ProxyHeaderResult result)
    {
        if (result.Length < 1 || result.Length > bytes.Length || result.Length > ProxyHeaderParser.MaxLength)
        {
            throw new InvariantException($"header length {result.Length} outside 1..{Math.Min(bytes.Length, ProxyHeaderParser.MaxLength)}");
        }

        var alone = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes, 0, result.Length));
        var shorter = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes, 0, result.Length - 1));
        if (alone != result || shorter.Status != ProxyHeaderStatus.NeedMoreData)
        {
            throw new InvariantException($"the header alone gives {alone.Status}, one byte shorter {shorter.Status} {shorter.Reason}");
        }

        if (result.Status == ProxyHeaderStatus.Local)
        {
            return;
        }

        var source = result.Source ?? throw new InvariantException("proxied without a source");
        var destination = result.Destination ?? throw new InvariantException("proxied without a destination");
        if (source.AddressFamily != destination.AddressFamily)
        {
            throw new InvariantException($"source {source} and destination {destination} of different families");
        }

        if (result.Version == 1 && source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            var canonical = $"PROXY TCP4 {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n";
            if (Encoding.ASCII.GetString(bytes, 0, result.Length) != canonical)
            {
                throw new InvariantException($"accepted a TCP4 line that is not the canonical '{canonical.TrimEnd()}'");
            }
        }
        else if (result.Version == 2)
        {
            var size = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 16;
            byte[] expected = [.. source.Address.GetAddressBytes(), .. destination.Address.GetAddressBytes(),
                (byte)(source.Port >> 8), (byte)source.Port, (byte)(destination.Port >> 8), (byte)destination.Port];
            if (!bytes.AsSpan(16, 2 * size + 4).SequenceEqual(expected))
            {
                throw new InvariantException("the v2 addresses returned are not the bytes sent");
            }
        }
    }

    /// <summary>
    /// What an upstream could read as a forwarded or identity header, written apart from
    /// IsSpoofable: Django's META key (upper case, '-' to '_') compared with the known names.
    /// </summary>
    private static bool OracleSpoofable(string name)
    {
        var key = new string(name.Select(c => c is >= 'a' and <= 'z' ? (char)(c - 32) : c == '-' ? '_' : c).ToArray());
        string[] exact = ["FORWARDED", "X_REAL_IP", "X_CLIENT_IP", "TRUE_CLIENT_IP", "X_CLUSTER_CLIENT_IP", "CF_CONNECTING_IP",
            "X_ORIGINAL_FORWARDED_FOR", "X_ORIGINAL_URL", "X_REWRITE_URL"];
        return exact.Contains(key) || key.StartsWith("X_FORWARDED_", StringComparison.Ordinal)
            || (key.StartsWith("X_AUTHENTIK_", StringComparison.Ordinal) && key != "X_AUTHENTIK_CSRF");
    }

    private static bool IsKeptFromTrustedPeer(string name) =>
        name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Forwarded-Proto", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Forwarded-Host", StringComparison.OrdinalIgnoreCase);
}
