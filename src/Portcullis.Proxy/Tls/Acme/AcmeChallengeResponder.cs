namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// Answers one type of ACME challenge (RFC 8555 §8) while its authorization is pending: the
/// client adds the key authorization before telling the CA to validate, and removes it once the
/// authorization is decided. Implementations are thread-safe and share their answers with other
/// instances through data_dir, since the CA's validation may reach any of them.
/// </summary>
public abstract class AcmeChallengeResponder
{
    /// <summary>The challenge type this responder answers, as the CA names it ("http-01", "tls-alpn-01").</summary>
    public abstract string ChallengeType { get; }

    /// <summary>Starts answering the challenge of <paramref name="token"/> for <paramref name="host"/> with <paramref name="keyAuthorization"/> (RFC 8555 §8.1).</summary>
    public abstract void Add(string host, string token, string keyAuthorization);

    /// <summary>Stops answering it (the authorization is valid or invalid now).</summary>
    public abstract void Remove(string host, string token);
}
