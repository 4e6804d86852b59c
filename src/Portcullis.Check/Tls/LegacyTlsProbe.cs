using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Portcullis.Check.Probing;

namespace Portcullis.Check.Tls;

/// <summary>
/// Asks whether a server still speaks TLS 1.0 or 1.1 by writing a ClientHello byte for byte.
/// SslStream cannot: OpenSSL 3 at Debian's default security level refuses to offer them, so a
/// refusal would say nothing about the server. The server answers a ServerHello for a version it
/// accepts and a protocol_version alert otherwise (RFC 5246 appendix E.1, RFC 8996); no
/// handshake is completed.
/// </summary>
internal static class LegacyTlsProbe
{
    public const ushort Tls10 = 0x0301;
    public const ushort Tls11 = 0x0302;

    // ECDHE and RSA key exchange with AES-CBC and 3DES: what TLS 1.0/1.1 servers offer, for
    // both ECDSA (authentik's default) and RSA certificates.
    private static readonly ushort[] CipherSuites = [0xC00A, 0xC009, 0xC014, 0xC013, 0x0039, 0x0033, 0x0035, 0x002F, 0x000A];

    public static async Task<LegacyTlsAnswer> OffersAsync(ProbeTarget target, ushort version, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = ProbeTimeout.Start(timeout, cancellationToken);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, deadline.Token);
            await socket.SendAsync(ClientHello(target.Host, version), SocketFlags.None, deadline.Token);

            var header = new byte[5];
            if (!await ReadExactlyAsync(socket, header, deadline.Token))
            {
                return LegacyTlsAnswer.Refused;
            }

            // A handshake record holding a ServerHello: byte 0 of the body is its type (2),
            // bytes 4-5 the version the server chose.
            if (header[0] == 22)
            {
                var body = new byte[6];
                if (await ReadExactlyAsync(socket, body, deadline.Token) && body[0] == 2)
                {
                    return BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(4)) == version ? LegacyTlsAnswer.Offered : LegacyTlsAnswer.Refused;
                }
            }

            return LegacyTlsAnswer.Refused;
        }
        catch (SocketException) when (socket.Connected)
        {
            // Reset after the ClientHello: refused.
            return LegacyTlsAnswer.Refused;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return socket.Connected ? LegacyTlsAnswer.Refused : LegacyTlsAnswer.NotConnected;
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (count == 0)
            {
                return false;
            }

            read += count;
        }

        return true;
    }

    internal static byte[] ClientHello(string host, ushort version)
    {
        var extensions = new List<byte>();
        if (!IPAddress.TryParse(host, out _))
        {
            // server_name (RFC 6066 section 3): SNI picks the site on a shared listener.
            var name = Encoding.ASCII.GetBytes(host);
            AddExtension(extensions, 0x0000, [.. U16(name.Length + 3), 0, .. U16(name.Length), .. name]);
        }

        AddExtension(extensions, 0x000A, [0, 6, 0, 0x1D, 0, 0x17, 0, 0x18]); // supported_groups: x25519, P-256, P-384
        AddExtension(extensions, 0x000B, [1, 0]); // ec_point_formats: uncompressed
        AddExtension(extensions, 0xFF01, [0]); // renegotiation_info, empty (RFC 5746)

        var hello = new List<byte>();
        hello.AddRange(U16(version));
        hello.AddRange(RandomNumberGenerator.GetBytes(32));
        hello.Add(0); // no session id
        hello.AddRange(U16(CipherSuites.Length * 2));
        foreach (var suite in CipherSuites)
        {
            hello.AddRange(U16(suite));
        }

        hello.AddRange([1, 0]); // compression: null only
        hello.AddRange(U16(extensions.Count));
        hello.AddRange(extensions);

        var handshake = new List<byte> { 1, 0 }; // ClientHello, 24-bit length
        handshake.AddRange(U16(hello.Count));
        handshake.AddRange(hello);

        var record = new List<byte> { 22 };
        record.AddRange(U16(Tls10)); // record layer version: 1.0 for the widest acceptance
        record.AddRange(U16(handshake.Count));
        record.AddRange(handshake);
        return record.ToArray();
    }

    private static void AddExtension(List<byte> extensions, ushort type, byte[] data)
    {
        extensions.AddRange(U16(type));
        extensions.AddRange(U16(data.Length));
        extensions.AddRange(data);
    }

    private static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];
}

/// <summary>How a server answered a TLS 1.0/1.1 ClientHello.</summary>
internal enum LegacyTlsAnswer
{
    Offered,
    Refused,
    NotConnected,
}
