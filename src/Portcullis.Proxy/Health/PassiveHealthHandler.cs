using Portcullis.Proxy.Utilities;

namespace Portcullis.Proxy.Health;

/// <summary>
/// The passive health check, in the upstream client's handler chain: a request that could not
/// connect, failed its TLS handshake or got no valid response (what the client sees as a 502)
/// takes the server out through <see cref="DestinationHealth.ReportTransportFailure"/>. Timeouts
/// (504) and cancellations do not: a slow server is not a dead one. WebSocket handshakes use the
/// same client, so they report too; health probes report through their own path.
/// </summary>
public sealed class PassiveHealthHandler(HttpMessageHandler inner, UpstreamHealthTable table) : DelegatingHandler(inner)
{
    /// <summary>Marks a request as a health probe, whose failure the probe itself counts.</summary>
    public static readonly HttpRequestOptionsKey<bool> IsProbe = new("Portcullis.HealthProbe");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sending = base.SendAsync(request, cancellationToken);
        return sending.IsCompletedSuccessfully ? sending : ObserveAsync(sending, request, cancellationToken);
    }

    private async Task<HttpResponseMessage> ObserveAsync(Task<HttpResponseMessage> sending, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await sending.ConfigureAwait(false);
        }
        catch (Exception ex) when (Report(ex, request, cancellationToken))
        {
            throw; // Not reached: Report returns false, the filter only observes.
        }
    }

    private bool Report(Exception exception, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var reason = exception switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
                or HttpRequestError.SecureConnectionError or HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded } http => ExceptionChain.InnermostMessage(http),
            // SocketsHttpHandler's ConnectTimeout: a cancellation nobody asked for, caused by a timeout.
            OperationCanceledException { InnerException: TimeoutException } when !cancellationToken.IsCancellationRequested => "the connection timed out (timeouts.upstream_connect)",
            _ => null,
        };
        if (reason is not null && !(request.Options.TryGetValue(IsProbe, out var probe) && probe))
        {
            table.Find(request.RequestUri)?.ReportTransportFailure(reason);
        }

        return false;
    }
}
