using System.Text.Json;
using Portcullis.EndToEnd.Infrastructure;

namespace Portcullis.EndToEnd.Security;

/// <summary>
/// Header spoofing from an untrusted peer, end to end over HTTP/1.1 and HTTP/2: every spelling of
/// the forwarded headers and of authentik's forward-auth identity headers (docs/authentik.md) is
/// dropped, and the upstream sees exactly the values Portcullis decided.
/// </summary>
public sealed class SpoofingTests(HostileProxy fixture) : IClassFixture<HostileProxy>
{
    /// <summary>Spellings a client could use; HTTP/2 names must be lower case, so it gets those.</summary>
    private static readonly (string Name, string Value)[] Spoofed =
    [
        ("X-Forwarded-For", "6.6.6.6"), ("x-forwarded-for", "6.6.6.7"), ("X-FORWARDED-FOR", "6.6.6.8"),
        ("X_Forwarded_For", "6.6.6.9"), ("x_forwarded-for", "6.6.6.10"), ("X-Forwarded-For", "6.6.6.11, 6.6.6.12"),
        ("X-Forwarded-Proto", "http"), ("X_Forwarded_Proto", "http"), ("X-Forwarded-Host", "evil.example"),
        ("x_forwarded_host", "evil.example"), ("X-Forwarded-Port", "1"), ("X-Forwarded-Prefix", "/evil"),
        ("X-Forwarded-Server", "evil.example"), ("Forwarded", "for=6.6.6.6;host=evil.example;proto=http"),
        ("FORWARDED", "for=6.6.6.6"), ("X-Real-IP", "6.6.6.6"), ("X_Real_Ip", "6.6.6.6"), ("True-Client-IP", "6.6.6.6"),
        ("CF-Connecting-IP", "6.6.6.6"), ("X-Client-IP", "6.6.6.6"), ("X-Cluster-Client-IP", "6.6.6.6"),
        ("X-Original-URL", "/evil"), ("X-Rewrite-URL", "/evil"),
        ("X-authentik-username", "akadmin"), ("X-Authentik-Groups", "authentik Admins"), ("x_authentik_email", "evil@evil.example"),
        ("X-AUTHENTIK-UID", "0"), ("X-authentik-jwt", "evil"), ("X-authentik-meta-outpost", "evil"),
    ];

    [Fact]
    public async Task Http11_EverySpellingDropped_UpstreamSeesOnlyWhatPortcullisDecided()
    {
        fixture.Reset();
        var headers = string.Concat(Spoofed.Select(h => $"{h.Name}: {h.Value}\r\n"));

        var response = await RawHttp.ExchangeAsync(fixture.Proxy.HttpsUrl,
            $"GET /who HTTP/1.1\r\nHost: {fixture.Host}\r\n{headers}Connection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 ", response);
        AssertOnlyPortcullisValues(Assert.Single(fixture.Upstream.Requests));
    }

    [Fact]
    public async Task Http2_EverySpellingDropped_UpstreamSeesOnlyWhatPortcullisDecided()
    {
        fixture.Reset();
        await using var h2 = await Http2Frames.ConnectAsync(fixture.Proxy.HttpsUrl);
        var fields = Http2Frames.Request(fixture.Host, "/who");
        fields.AddRange(Spoofed.Select(h => (h.Name.ToLowerInvariant(), h.Value)));

        await h2.SendHeadersAsync(1, fields, endStream: true);
        var (response, error) = await h2.ResultAsync(1);

        Assert.Null(error);
        Assert.Equal(200, response!.Status);
        AssertOnlyPortcullisValues(Assert.Single(fixture.Upstream.Requests));
    }

    private void AssertOnlyPortcullisValues(ReceivedRequest seen)
    {
        Assert.Equal(["127.0.0.1"], seen.All("X-Forwarded-For"));
        Assert.Equal(["https"], seen.All("X-Forwarded-Proto"));
        Assert.Equal([fixture.Host], seen.All("X-Forwarded-Host"));
        Assert.Equal([fixture.Host], seen.All("Host"));
        Assert.Equal("/who", seen.Path);
        var leaked = seen.Headers.Keys.Where(name => name.Replace('_', '-').ToLowerInvariant() is var n
            && (n.StartsWith("x-forwarded-", StringComparison.Ordinal) && n is not ("x-forwarded-for" or "x-forwarded-proto" or "x-forwarded-host")
                || n is "forwarded" or "x-real-ip" or "true-client-ip" or "x-client-ip" or "cf-connecting-ip" or "x-cluster-client-ip"
                    or "x-original-url" or "x-rewrite-url"
                || n.StartsWith("x-authentik-", StringComparison.Ordinal)
                || name.Contains('_'))).ToArray();
        Assert.Empty(leaked);
        var text = JsonSerializer.Serialize(seen);
        Assert.DoesNotContain("6.6.6.", text);
        Assert.DoesNotContain("evil", text);
        Assert.DoesNotContain("akadmin", text);
    }
}
