namespace Portcullis.Proxy.Auth;

/// <summary>What the outpost decided: go on to the app (as the user it named), or Portcullis has answered the client.</summary>
public readonly record struct ForwardAuthDecision(bool Allowed, string? User);
