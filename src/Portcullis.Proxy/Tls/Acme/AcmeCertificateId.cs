using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// RFC 9773 §4.1's certificate identifier for renewalInfo and "replaces": base64url of the
/// Authority Key Identifier's keyIdentifier, ".", base64url of the serial number's DER integer
/// content octets.
/// </summary>
public static class AcmeCertificateId
{
    /// <summary>The certificate's ID, or null when it has no Authority Key Identifier keyIdentifier.</summary>
    public static string? For(X509Certificate2 certificate)
    {
        byte[]? keyIdentifier = null;
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509AuthorityKeyIdentifierExtension authorityKey && authorityKey.KeyIdentifier is { } identifier)
            {
                keyIdentifier = identifier.ToArray();
            }
        }

        if (keyIdentifier is null)
        {
            return null;
        }

        // SerialNumberBytes is little-endian; the DER content octets are the big-endian two's
        // complement integer, which RawData's TBSCertificate holds as is.
        return Base64Url.Encode(keyIdentifier) + "." + Base64Url.Encode(SerialContentOctets(certificate));
    }

    private static byte[] SerialContentOctets(X509Certificate2 certificate)
    {
        var reader = new AsnReader(certificate.RawData, AsnEncodingRules.DER);
        var tbs = reader.ReadSequence().ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)); // version [0] EXPLICIT
        }

        return tbs.ReadIntegerBytes().ToArray();
    }
}
