namespace Portcullis.Emulator.ProtectedApp;

/// <summary>One X-authentik-* header line as it reached the app.</summary>
/// <param name="Name">The name as received.</param>
/// <param name="Value">The value as received.</param>
/// <param name="From">"outpost" when the outpost issued exactly this value for the request's session, else "client".</param>
internal sealed record ReceivedIdentityHeader(string Name, string Value, string From);
