using System.Text;
using Portcullis.Check.Probing;

namespace Portcullis.Check.ForwardAuth;

/// <summary>
/// A browser without JavaScript over the checker's <see cref="ProbeClient"/>: it keeps cookies
/// per host in its own <see cref="CookieJar"/> and follows nothing by itself, so every hop of a
/// sign-in can be judged. One instance per simulated browser; a fresh one has no session.
/// </summary>
internal sealed class ForwardAuthBrowser
{
    private const int MaxBody = 64 * 1024;

    private readonly ProbeClient _client;
    private readonly TimeSpan _timeout;

    public ForwardAuthBrowser(ProbeClient client, TimeSpan timeout)
    {
        _client = client;
        _timeout = timeout;
    }

    public CookieJar Cookies { get; } = new();

    public Task<ProbeResponse> GetAsync(Uri url, CancellationToken cancellationToken, params KeyValuePair<string, string>[] headers) =>
        SendAsync(HttpMethod.Get, url, null, headers, cancellationToken);

    public Task<ProbeResponse> PostFormAsync(Uri url, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, url, new FormUrlEncodedContent(form), [], cancellationToken);

    private async Task<ProbeResponse> SendAsync(HttpMethod method, Uri url, HttpContent? content, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.TryAddWithoutValidation("Accept", "text/html,application/json;q=0.9,*/*;q=0.8");
        request.Headers.TryAddWithoutValidation("User-Agent", "portcullis-check");
        if (Cookies.Header(url) is { } cookie)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var deadline = ProbeTimeout.Start(_timeout, cancellationToken);
        try
        {
            using var response = await _client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var setCookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
            Cookies.Store(url, setCookies);
            var location = response.Headers.Location is { } written ? new Uri(url, written) : null;
            var body = await ReadBodyAsync(response, deadline.Token);
            return new ProbeResponse((int)response.StatusCode, url, location, body, setCookies);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ProbeResponse(0, url, null, ProbeTimeout.Describe(ex), []);
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBody];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
