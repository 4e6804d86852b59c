namespace Portcullis.Proxy.Tls.Acme;

/// <summary>The ACME server answered something RFC 8555 does not allow (no problem document to show).</summary>
public sealed class AcmeProtocolException : Exception
{
    public AcmeProtocolException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
