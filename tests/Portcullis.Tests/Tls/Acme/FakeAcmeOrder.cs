using System.Security.Cryptography.X509Certificates;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

/// <summary>An order's state inside <see cref="FakeAcmeServer"/>.</summary>
internal sealed class FakeAcmeOrder(string id, string[] hosts)
{
    public string Id { get; } = id;

    public string[] Hosts { get; } = hosts;

    public List<string> Authorizations { get; } = [];

    public string Status { get; set; } = AcmeStatus.Pending;

    public AcmeProblem? Error { get; set; }

    public CertificateRequest? Csr { get; set; }

    public int ProcessingPollsLeft { get; set; }
}
