namespace Portcullis.Emulator.Forwarding;

/// <summary>The request headers authentik reads from a trusted proxy.</summary>
internal static class ForwardedHeaderNames
{
    public const string XForwardedFor = "X-Forwarded-For";
    public const string XRealIp = "X-Real-IP";
    public const string Forwarded = "Forwarded";
    public const string XForwardedProto = "X-Forwarded-Proto";
    public const string XForwardedHost = "X-Forwarded-Host";
}
