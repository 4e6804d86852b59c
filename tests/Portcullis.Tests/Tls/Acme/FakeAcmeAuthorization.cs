using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

/// <summary>An authorization and the challenge answered for it inside <see cref="FakeAcmeServer"/>.</summary>
internal sealed class FakeAcmeAuthorization(string id, string host, string token)
{
    public string Id { get; } = id;

    public string Host { get; } = host;

    public string Token { get; } = token;

    public string Status { get; set; } = AcmeStatus.Pending;

    /// <summary>The type of the challenge the client answered; null before it answers one.</summary>
    public string? ChallengeType { get; set; }

    public string ChallengeStatus { get; set; } = AcmeStatus.Pending;

    public AcmeProblem? Error { get; set; }

    public int PendingPollsLeft { get; set; }
}
