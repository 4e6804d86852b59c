using System.Net.Sockets;
using System.Security.Authentication;
using Portcullis.Proxy.Utilities;

namespace Portcullis.Proxy.Forwarding;

/// <summary>Sorts an upstream failure into its <see cref="UpstreamErrorReason"/>, from what the forwarder saw.</summary>
public static class UpstreamErrorClassifier
{
    /// <param name="timedOut">The forwarder already knows the upstream ran out of time.</param>
    public static UpstreamErrorReason Classify(bool timedOut, Exception? exception)
    {
        if (timedOut || ExceptionChain.Find<TimeoutException>(exception) is not null)
        {
            return UpstreamErrorReason.Timeout;
        }

        // A handshake failure and a certificate the route's upstream_tls refused both surface as this.
        if (ExceptionChain.Find<AuthenticationException>(exception) is not null)
        {
            return UpstreamErrorReason.Tls;
        }

        return ExceptionChain.Find<SocketException>(exception) is not null ? UpstreamErrorReason.Connect : UpstreamErrorReason.Other;
    }
}
