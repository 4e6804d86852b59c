namespace Portcullis.Check.Tests.Common;

/// <summary>What <see cref="ForwardAuthFrontEnd"/> gets wrong; all false is a correct front end.</summary>
internal sealed record ForwardAuthFlaws
{
    /// <summary>Serves everything without asking the outpost.</summary>
    public bool NoAuth { get; init; }

    /// <summary>Keeps the client's X-authentik-* headers and appends the outpost's, like a proxy that only adds.</summary>
    public bool KeepClientIdentityHeaders { get; init; }

    /// <summary>Passes the client's X-Forwarded-Host and X-Forwarded-Uri to the outpost, like Traefik's trustForwardHeader on an edge.</summary>
    public bool TrustClientForwardedHeaders { get; init; }

    /// <summary>Serves the app when the auth request fails.</summary>
    public bool FailOpen { get; init; }

    /// <summary>Drops the outpost's Set-Cookie from its redirect, so the callback cannot match the session.</summary>
    public bool DropAuthSetCookie { get; init; }

    /// <summary>Answers an unauthenticated request 401 instead of passing the outpost's redirect on (nginx without error_page 401).</summary>
    public bool UnauthorizedInsteadOfRedirect { get; init; }

    /// <summary>Sends WebSocket upgrades to the app without the auth request.</summary>
    public bool UnprotectedWebSocket { get; init; }
}
