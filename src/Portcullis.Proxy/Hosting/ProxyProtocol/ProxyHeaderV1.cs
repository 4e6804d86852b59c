using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portcullis.Proxy.Hosting.ProxyProtocol;

/// <summary>
/// The human-readable header, proxy-protocol.txt section 2.1:
/// "PROXY TCP4|TCP6 source destination source-port destination-port\r\n", or "PROXY UNKNOWN…\r\n",
/// at most 107 bytes with the CRLF. Anything that does not match exactly is refused.
/// </summary>
internal static class ProxyHeaderV1
{
    /// <summary>Section 2.1: the worst case, "PROXY UNKNOWN" with two full IPv6 addresses and ports, is 107 bytes.</summary>
    public const int MaxLength = 107;

    private static ReadOnlySpan<byte> Prefix => "PROXY "u8;

    public static ProxyHeaderResult Parse(ReadOnlySequence<byte> input)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        var length = (int)Math.Min(input.Length, MaxLength);
        input.Slice(0, length).CopyTo(buffer);
        var line = buffer[..length];

        var known = Math.Min(length, Prefix.Length);
        if (!line[..known].SequenceEqual(Prefix[..known]))
        {
            return ProxyHeaderResult.Invalid(0, ProxyHeaderParser.NotAHeader(line[0]));
        }

        // Section 2.1: the line ends with CRLF only; "the receiver must not tolerate a single CR or
        // LF character to end the line", and without a CRLF in the first 107 bytes it is invalid.
        var cr = line.IndexOf((byte)'\r');
        var lf = line.IndexOf((byte)'\n');
        if (lf >= 0 && (cr < 0 || lf < cr))
        {
            return Invalid("the line ends with a bare LF (section 2.1 requires CRLF)");
        }

        if (cr < 0 || cr + 1 == length)
        {
            return length == MaxLength ? Invalid($"no CRLF within the first {MaxLength} bytes") : ProxyHeaderResult.NeedMoreData;
        }

        if (line[cr + 1] != '\n')
        {
            return Invalid("a CR not followed by LF inside the line");
        }

        var headerLength = cr + 2;
        var fields = line[Prefix.Length..cr];
        if (fields.SequenceEqual("UNKNOWN"u8) || fields.StartsWith("UNKNOWN "u8))
        {
            // Section 2.1: "the receiver must ignore anything presented before the CRLF"; the
            // sender could not fill the line (HAProxy's own health checks send this), so the
            // connection keeps its real endpoints.
            return ProxyHeaderResult.Local(1, headerLength);
        }

        // Exactly one space between fields, none before or after (section 2.1).
        Span<Range> parts = stackalloc Range[6];
        var count = Split(fields, parts, (byte)' ');
        var family = fields[parts[0]];
        AddressFamily addressFamily;
        if (family.SequenceEqual("TCP4"u8))
        {
            addressFamily = AddressFamily.InterNetwork;
        }
        else if (family.SequenceEqual("TCP6"u8))
        {
            addressFamily = AddressFamily.InterNetworkV6;
        }
        else
        {
            // The whole first field, not its first four bytes: "TCP4?" is not TCP4 (found by fuzz/run.sh proxyheader).
            return Invalid($"unknown protocol '{Printable(family)}' (TCP4, TCP6 or UNKNOWN)");
        }

        if (count != 5)
        {
            return Invalid("expected 'PROXY TCP4|TCP6 source destination source-port destination-port' with single spaces");
        }

        var source = ParseAddress(fields[parts[1]], addressFamily);
        var destination = ParseAddress(fields[parts[2]], addressFamily);
        if (source is null || destination is null)
        {
            return Invalid($"'{Printable(fields[source is null ? parts[1] : parts[2]])}' is not an {(addressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address in canonical form");
        }

        var sourcePort = ParsePort(fields[parts[3]]);
        var destinationPort = ParsePort(fields[parts[4]]);
        if (sourcePort < 0 || destinationPort < 0)
        {
            return Invalid($"'{Printable(fields[sourcePort < 0 ? parts[3] : parts[4]])}' is not a port (0 to 65535, no leading zeros)");
        }

        return ProxyHeaderResult.Proxied(1, headerLength, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
    }

    private static ProxyHeaderResult Invalid(string reason) => ProxyHeaderResult.Invalid(1, "PROXY v1: " + reason);

    private static IPAddress? ParseAddress(ReadOnlySpan<byte> text, AddressFamily family) =>
        family == AddressFamily.InterNetwork ? ParseIPv4(text) : ParseIPv6(text);

    /// <summary>
    /// Section 2.1: exactly four decimal numbers 0 to 255 separated by single dots, no leading zeros
    /// ("to avoid any possible confusion with octal numbers"). Stricter than IPAddress.Parse, which
    /// takes "1.2.3" and "0x7f.1".
    /// </summary>
    private static IPAddress? ParseIPv4(ReadOnlySpan<byte> text)
    {
        Span<byte> octets = stackalloc byte[4];
        Span<Range> parts = stackalloc Range[5];
        if (Split(text, parts, (byte)'.') != 4)
        {
            return null;
        }

        for (var i = 0; i < 4; i++)
        {
            var value = ParseDecimal(text[parts[i]], 3);
            if (value is < 0 or > 255)
            {
                return null;
            }

            octets[i] = (byte)value;
        }

        return new IPAddress(octets);
    }

    /// <summary>
    /// Section 2.1: hexadecimal groups separated by colons, one "::" at most, 128 bits. A dotted
    /// IPv4 tail (::ffff:192.0.2.1) is taken too: it is what inet_ntop, and so HAProxy, writes
    /// for an IPv4 client on an IPv6 socket. No zone index, no brackets.
    /// </summary>
    private static IPAddress? ParseIPv6(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.Length > 45 || !text.Contains((byte)':'))
        {
            return null;
        }

        foreach (var b in text)
        {
            if (!(char.IsAsciiHexDigit((char)b) || b == ':' || b == '.'))
            {
                return null;
            }
        }

        Span<char> chars = stackalloc char[text.Length];
        Encoding.ASCII.GetChars(text, chars);
        return IPAddress.TryParse(chars, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? address : null;
    }

    /// <summary>Section 2.1: a decimal 0 to 65535 without leading zeros; -1 otherwise.</summary>
    private static int ParsePort(ReadOnlySpan<byte> text)
    {
        var value = ParseDecimal(text, 5);
        return value <= 65535 ? value : -1;
    }

    /// <summary>1 to <paramref name="maxDigits"/> ASCII digits, "0" or not starting with 0; -1 otherwise.</summary>
    private static int ParseDecimal(ReadOnlySpan<byte> text, int maxDigits)
    {
        if (text.IsEmpty || text.Length > maxDigits || (text[0] == '0' && text.Length > 1))
        {
            return -1;
        }

        var value = 0;
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return -1;
            }

            value = value * 10 + (b - '0');
        }

        return value;
    }

    /// <summary>
    /// The pieces between separators into <paramref name="parts"/>; more pieces than it holds
    /// count as one more than its length, so callers compare with the exact number they expect.
    /// </summary>
    private static int Split(ReadOnlySpan<byte> text, Span<Range> parts, byte separator)
    {
        var count = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != separator)
            {
                continue;
            }

            if (count == parts.Length)
            {
                return count + 1;
            }

            parts[count++] = new Range(start, i);
            start = i + 1;
        }

        return count;
    }

    /// <summary>The bytes for a log line: ASCII as is, anything else as \xNN, so a hostile header cannot forge log lines.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7f)
            {
                text.Append((char)b);
            }
            else
            {
                text.Append($"\\x{b:x2}");
            }
        }

        return text.ToString();
    }
}
