using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Portcullis.Emulator.Outpost;

/// <summary>
/// The outpost's sessions, in memory, and its cookie. A standalone outpost keeps sessions per
/// replica and sends the session ID signed with the cookie secret, not encrypted
/// (goauthentik/authentik internal/outpost/proxyv2/application/session.go <c>getStore</c>).
/// Bounded: past <see cref="Capacity"/> sessions the oldest go first.
/// </summary>
internal sealed class OutpostSessionStore
{
    private const int Capacity = 10_000;

    private readonly OutpostProvider _provider;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, OutpostSession> _sessions = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    public OutpostSessionStore(OutpostProvider provider, TimeProvider time)
    {
        _provider = provider;
        _time = time;
    }

    public OutpostSession Create()
    {
        var session = new OutpostSession(
            RandomNumberGenerator.GetHexString(32, lowercase: true),
            // access_token_validity + 1 s until the callback sets the token's exp (session.go).
            _time.GetUtcNow() + OutpostProvider.AccessTokenValidity + TimeSpan.FromSeconds(1));
        lock (_lock)
        {
            while (_sessions.Count >= Capacity && _order.TryDequeue(out var oldest))
            {
                _sessions.Remove(oldest);
            }

            _sessions[session.Id] = session;
            _order.Enqueue(session.Id);
        }

        return session;
    }

    /// <summary>What the request's outpost cookie says.</summary>
    /// <returns>The live session; null with <paramref name="presented"/> true when a cookie came but names no live session.</returns>
    public OutpostSession? Load(HttpRequest request, out bool presented)
    {
        var value = request.Cookies[_provider.CookieName];
        presented = value is not null;
        if (value is null)
        {
            return null;
        }

        var dot = value.IndexOf('.');
        if (dot <= 0 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(value[..dot])), Encoding.ASCII.GetBytes(value[(dot + 1)..])))
        {
            return null;
        }

        lock (_lock)
        {
            if (_sessions.TryGetValue(value[..dot], out var session) && session.Expires > _time.GetUtcNow())
            {
                return session;
            }
        }

        return null;
    }

    /// <summary>Signs the user out everywhere in this store: every session of the same subject (application.go <c>handleSignOut</c>).</summary>
    public void DeleteSubject(string uid)
    {
        lock (_lock)
        {
            foreach (var id in _sessions.Where(pair => pair.Value.User?.Uid == uid).Select(pair => pair.Key).ToList())
            {
                _sessions.Remove(id);
            }
        }
    }

    /// <summary>
    /// Saves the session: Set-Cookie with Path=/, HttpOnly, SameSite=Lax and Secure iff
    /// external_host is https (application.go), Max-Age the time left.
    /// </summary>
    public void WriteCookie(HttpResponse response, OutpostSession session)
    {
        var maxAge = Math.Max(0, (long)Math.Ceiling((session.Expires - _time.GetUtcNow()).TotalSeconds));
        response.Headers.Append("Set-Cookie", Format(session.Id + "." + Sign(session.Id), maxAge, session.Expires));
    }

    /// <summary>The deletion cookie sent when a presented cookie cannot be loaded (mode_common.go <c>getClaimsFromSession</c>).</summary>
    public void WriteDeletionCookie(HttpResponse response) =>
        response.Headers.Append("Set-Cookie", Format("", 0, DateTimeOffset.UnixEpoch));

    private string Format(string value, long maxAge, DateTimeOffset expires)
    {
        // Go's http.Cookie.String order: Path, Domain, Expires, Max-Age, HttpOnly, Secure, SameSite.
        var cookie = new StringBuilder()
            .Append(_provider.CookieName).Append('=').Append(value)
            .Append("; Path=/")
            .Append("; Expires=").Append(expires.UtcDateTime.ToString("R", CultureInfo.InvariantCulture))
            .Append("; Max-Age=").Append(maxAge)
            .Append("; HttpOnly");
        if (_provider.CookieSecure)
        {
            cookie.Append("; Secure");
        }

        return cookie.Append("; SameSite=Lax").ToString();
    }

    private string Sign(string id) =>
        Hs256Jwt.Base64Url(HMACSHA256.HashData(_provider.CookieSecret, Encoding.UTF8.GetBytes(_provider.CookieName + "|" + id)));
}
