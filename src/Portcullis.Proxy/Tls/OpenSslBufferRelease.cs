using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Portcullis.Proxy.Tls;

/// <summary>
/// Lets OpenSSL free a TLS connection's record buffers (about 17 KiB to read, 17 KiB to write)
/// whenever they are empty: <c>SSL_MODE_RELEASE_BUFFERS</c>, which nginx and HAProxy set on every
/// connection. .NET's SslStream on Linux does not set it and has no option for it, so every idle
/// connection kept both buffers on each of its two TLS legs, most of what an idle WebSocket cost
/// (docs/benchmarks.md). Set once per connection, after its handshake and before any data, from the
/// one thread using it. Anything unexpected (another OS, another .NET whose SslStream is laid out
/// differently, no libssl in the process) turns it off: connections then work as before, only larger.
/// </summary>
public static unsafe class OpenSslBufferRelease
{
    // openssl/ssl.h: SSL_set_mode(s, m) is SSL_ctrl(s, SSL_CTRL_MODE, m, NULL); a zero mask reads it.
    private const int SslCtrlMode = 33;
    private const nint SslModeReleaseBuffers = 0x10;

    // SslStream's OpenSSL connection: on Linux in .NET 10 a SafeSslHandle whose handle is the SSL*
    // (earlier versions wrap it differently, and the type check below leaves them alone). Its
    // declared type is internal, which rules out an UnsafeAccessor; the field is kept in
    // the Native AOT build because SslStream itself uses it.
    private static readonly FieldInfo? SecurityContextField = OperatingSystem.IsLinux()
        ? typeof(SslStream).GetField("_securityContext", BindingFlags.Instance | BindingFlags.NonPublic)
        : null;

    // SSL_ctrl's address once looked up (0: not found). Racing first calls find the same export.
    private static nint _sslCtrl;
    private static bool _lookedUp;

    /// <summary>Sets the mode on <paramref name="stream"/>'s OpenSSL connection; false when it could not.</summary>
    public static bool Apply(SslStream stream) => Control(stream, SslModeReleaseBuffers) is { } mode && (mode & SslModeReleaseBuffers) != 0;

    /// <summary>Whether the mode is set on <paramref name="stream"/>'s OpenSSL connection (tests).</summary>
    public static bool IsApplied(SslStream stream) => Control(stream, 0) is { } mode && (mode & SslModeReleaseBuffers) != 0;

    private static nint? Control(SslStream stream, nint addMode)
    {
        // Only the runtime's SSL* wrapper of an authenticated stream; it also means libssl is loaded.
        if (SecurityContextField?.GetValue(stream) is not SafeHandle { IsInvalid: false, IsClosed: false } ssl
            || ssl.GetType().Name != "SafeSslHandle")
        {
            return null;
        }

        if (!Volatile.Read(ref _lookedUp))
        {
            _sslCtrl = FindSslCtrl();
            Volatile.Write(ref _lookedUp, true);
        }

        if (_sslCtrl == 0)
        {
            return null;
        }

        var added = false;
        try
        {
            ssl.DangerousAddRef(ref added);
            return ((delegate* unmanaged<nint, int, nint, nint, nint>)_sslCtrl)(ssl.DangerousGetHandle(), SslCtrlMode, addMode, 0);
        }
        finally
        {
            if (added)
            {
                ssl.DangerousRelease();
            }
        }
    }

    // The very libssl the runtime loaded (it picks one of several versions at run time): calling
    // another copy's SSL_ctrl on this SSL* would corrupt it.
    private static nint FindSslCtrl()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var slash = line.IndexOf('/');
                if (slash < 0 || !line.AsSpan(slash).Contains("/libssl.so", StringComparison.Ordinal))
                {
                    continue;
                }

                if (NativeLibrary.TryLoad(line[slash..], out var library) && NativeLibrary.TryGetExport(library, "SSL_ctrl", out var export))
                {
                    return export;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
