using System.Collections.Concurrent;

namespace Portcullis.Acme.Pebble.Infrastructure;

/// <summary>Records every request the ACME client sends to pebble, and every badNonce it got back.</summary>
public sealed class RecordingHandler : DelegatingHandler
{
    private int _badNonces;

    public RecordingHandler(HttpMessageHandler inner) : base(inner)
    {
    }

    public ConcurrentQueue<string> Requests { get; } = new();

    public int BadNonces => _badNonces;

    /// <summary>The paths of the requests pebble answered with badNonce.</summary>
    public ConcurrentQueue<string> BadNoncePaths { get; } = new();

    public int BadNoncesOn(string path) => BadNoncePaths.Count(p => p == path);

    public int Posts => Requests.Count(r => r.StartsWith("POST ", StringComparison.Ordinal));

    /// <summary>newOrder requests (pebble's path for it is /order-plz).</summary>
    public int NewOrders => Requests.Count(r => r == "POST /order-plz");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request.Method + " " + request.RequestUri!.AbsolutePath);
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode == 400 && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body.Contains("urn:ietf:params:acme:error:badNonce", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _badNonces);
                BadNoncePaths.Enqueue(request.RequestUri.AbsolutePath);
            }

            // The body was read: hand the client a copy it can read again.
            var copy = new StringContent(body);
            copy.Headers.ContentType = response.Content.Headers.ContentType;
            response.Content = copy;
        }

        return response;
    }
}
