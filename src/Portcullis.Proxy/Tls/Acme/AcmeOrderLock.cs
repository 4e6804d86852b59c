using System.Globalization;

namespace Portcullis.Proxy.Tls.Acme;

/// <summary>
/// One order at a time across every instance sharing a data directory. The lock is an advisory
/// flock(2) on a lock file, taken by opening it with FileShare.None (.NET's FileStream on Unix
/// takes LOCK_EX|LOCK_NB for that). Chosen over an O_EXCL file with an expiry because the kernel
/// drops the lock when its holder dies, however it dies (kill -9, OOM, power loss with a local
/// file system): a crashed holder can never leave a stale lock, and there is no expiry to guess
/// that a slow but live holder could outlast. The file left on disk afterwards is not a lock; its
/// content (pid, machine, time) only names the holder for a person looking. Linux NFS maps flock
/// to POSIX locks (served by the NFS lock manager). On a file system without lock support .NET
/// opens the file unlocked rather than failing; two instances may then both order, which costs a
/// duplicate certificate, not an outage.
/// DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns .NET's locking off and must not be set.
/// </summary>
public sealed class AcmeOrderLock : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);
    private readonly FileStream _stream;

    private AcmeOrderLock(FileStream stream)
    {
        _stream = stream;
    }

    /// <summary>Takes the lock, or returns null at once when another holder has it.</summary>
    public static AcmeOrderLock? TryAcquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception) when (exception is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return null; // EWOULDBLOCK from flock: held by a live process
        }

        try
        {
            var owner = string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} on {Environment.MachineName} since {DateTimeOffset.UtcNow:O}\n");
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(owner));
            stream.Flush();
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return new AcmeOrderLock(stream);
    }

    /// <summary>Waits for the lock up to <paramref name="timeout"/>; the timeout error names the lock file.</summary>
    public static async Task<AcmeOrderLock> AcquireAsync(string path, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetUtcNow() + timeout;
        while (true)
        {
            if (TryAcquire(path) is { } acquired)
            {
                return acquired;
            }

            if (timeProvider.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"another Portcullis instance sharing the data directory has been ordering a certificate for over {timeout} (lock {path}); it gives up on its own when its order times out");
            }

            await Task.Delay(RetryInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes nothing on release: the next holder overwrites the owner line.</summary>
    public void Dispose() => _stream.Dispose();
}
