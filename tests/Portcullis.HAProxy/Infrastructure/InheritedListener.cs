using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Portcullis.HAProxy.Infrastructure;

/// <summary>
/// A listening socket on 127.0.0.1:0 handed to HAProxy as "bind fd@N" (HAProxy refuses port 0 in
/// a bind line): the kernel picks the port, nothing can take it between choosing and binding, and
/// the test knows it without asking HAProxy.
/// </summary>
public sealed partial class InheritedListener : IDisposable
{
    private const int FGetFd = 1;
    private const int FSetFd = 2;
    private const int FdCloExec = 1;

    private readonly Socket _socket;

    public InheritedListener()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.Listen(128);
        Descriptor = (int)_socket.SafeHandle.DangerousGetHandle();
        // .NET opens sockets close-on-exec; clear it on this one so the HAProxy child inherits it.
        var flags = Fcntl(Descriptor, FGetFd, 0);
        if (flags < 0 || Fcntl(Descriptor, FSetFd, flags & ~FdCloExec) < 0)
        {
            throw new InvalidOperationException($"fcntl on fd {Descriptor} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public int Descriptor { get; }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Dispose() => _socket.Dispose();

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
