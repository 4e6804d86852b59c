using System.Security.Cryptography;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// When a certificate is renewed. Without renewal information: when a third of its lifetime is
/// left (Let's Encrypt's advice, 30 days of 90), moved earlier by up to a fifteenth of the
/// lifetime (6 days of 90). With RFC 9773 renewal information: a point inside the CA's suggested
/// window, or now when the window has passed (§4.2).
/// The jitter is derived from the certificate's serial number, not drawn anew: every restart and
/// every instance sharing data_dir computes the same time for one certificate, while certificates
/// issued at the same moment (many sites) spread out instead of renewing together.
/// </summary>
public static class AcmeRenewalSchedule
{
    private const int JitterDivisor = 15;

    /// <summary>The renewal time of a certificate from its own dates.</summary>
    public static DateTimeOffset FromLifetime(DateTimeOffset notBefore, DateTimeOffset notAfter, ReadOnlySpan<byte> serialNumber)
    {
        var lifetime = notAfter - notBefore;
        var jitter = lifetime / JitterDivisor * Fraction(serialNumber, 0);
        return notAfter - lifetime / 3 - jitter;
    }

    /// <summary>The renewal time inside a suggested window (RFC 9773 §4.2: uniformly within it).</summary>
    public static DateTimeOffset FromWindow(AcmeRenewalWindow window, ReadOnlySpan<byte> serialNumber)
    {
        if (window.End <= window.Start)
        {
            return window.Start;
        }

        return window.Start + (window.End - window.Start) * Fraction(serialNumber, 1);
    }

    /// <summary>A number in [0, 1) fixed by the serial number and a purpose.</summary>
    private static double Fraction(ReadOnlySpan<byte> serialNumber, byte purpose)
    {
        Span<byte> input = stackalloc byte[serialNumber.Length + 1];
        serialNumber.CopyTo(input);
        input[^1] = purpose;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return (BitConverter.ToUInt64(hash) >> 11) / (double)(1UL << 53);
    }
}
