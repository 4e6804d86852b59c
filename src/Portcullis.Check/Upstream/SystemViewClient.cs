using System.Net.Http.Headers;
using Portcullis.Check.Probing;

namespace Portcullis.Check.Upstream;

/// <summary>Asks the upstream, through the proxy, what it saw of a request.</summary>
internal sealed class SystemViewClient
{
    public const string Path = "api/v3/admin/system/";

    private readonly ProbeTarget _target;
    private readonly ProbeClient _client;
    private readonly string? _token;
    private readonly TimeSpan _timeout;

    public SystemViewClient(ProbeTarget target, ProbeClient client, string? token, TimeSpan timeout)
    {
        _target = target;
        _client = client;
        _token = token;
        _timeout = timeout;
    }

    /// <summary>GET the system view with extra headers (forged ones, a large cookie).</summary>
    public async Task<SystemViewFetch> FetchAsync(IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _target.Https(Path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var deadline = ProbeTimeout.Start(_timeout, cancellationToken);
        try
        {
            using var response = await _client.Http.SendAsync(request, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            var status = (int)response.StatusCode;
            var snapshot = response.IsSuccessStatusCode ? SystemViewSnapshot.Parse(body) : null;
            return new SystemViewFetch(status, snapshot, $"{status} {response.ReasonPhrase}", Excerpt(body), response.Version);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new SystemViewFetch(0, null, ProbeTimeout.Describe(ex), string.Empty, null);
        }
    }

    private static string Excerpt(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        return line.Length <= 160 ? line : line[..160] + "…";
    }
}

/// <summary>One system view request: the HTTP status (0: no answer), the parsed view, and how to describe the answer.</summary>
internal sealed record SystemViewFetch(int Status, SystemViewSnapshot? Snapshot, string Answer, string BodyExcerpt, Version? Version)
{
    /// <summary>The answer says the deployment is broken, rather than the view being unavailable.</summary>
    public bool IsBroken => Status == 0 || Status >= 500;

    public string Describe() => BodyExcerpt.Length == 0 ? Answer : $"{Answer}: {BodyExcerpt}";
}
