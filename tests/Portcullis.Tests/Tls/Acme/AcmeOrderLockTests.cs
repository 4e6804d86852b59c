using System.Diagnostics;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class AcmeOrderLockTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string LockPath => Path.Combine(_directory.Path, "ca", "order.lock");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TryAcquire_HeldByAnotherHolder_ReturnsNull()
    {
        using var holder = AcmeOrderLock.TryAcquire(LockPath);

        Assert.NotNull(holder);
        Assert.Null(AcmeOrderLock.TryAcquire(LockPath));
    }

    [Fact]
    public void TryAcquire_HolderReleased_Succeeds()
    {
        AcmeOrderLock.TryAcquire(LockPath)!.Dispose();

        using var next = AcmeOrderLock.TryAcquire(LockPath);

        Assert.NotNull(next);
    }

    [Fact]
    public void TryAcquire_LockFileLeftByDeadHolder_Succeeds()
    {
        // What a crashed holder leaves: the file with its owner line. The kernel's lock is gone with it.
        Directory.CreateDirectory(Path.GetDirectoryName(LockPath)!);
        File.WriteAllText(LockPath, "pid 999999 on elsewhere since 2020-01-01T00:00:00Z\n");

        using var acquired = AcmeOrderLock.TryAcquire(LockPath);

        Assert.NotNull(acquired);
    }

    [Fact]
    public async Task TryAcquire_HolderProcessKilled_SucceedsAtOnce()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // flock(2) is the Unix mechanism under test
        }

        Assert.True(File.Exists("/usr/bin/flock"), "/usr/bin/flock (util-linux, essential on Debian) is needed to hold the lock from another process");
        Directory.CreateDirectory(Path.GetDirectoryName(LockPath)!);
        // flock(1) takes flock(2) on the file, the lock .NET's FileShare.None takes, then runs the child.
        using var holder = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["--nonblock", "--close", LockPath, "/bin/sh", "-c", "echo locked; exec sleep 60"])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Null(AcmeOrderLock.TryAcquire(LockPath));

            holder.Kill(entireProcessTree: true); // SIGKILL: a crash, nothing is cleaned up
            await holder.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

            using var acquired = AcmeOrderLock.TryAcquire(LockPath);
            Assert.NotNull(acquired);
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task AcquireAsync_HolderReleasesWhileWaiting_Acquires()
    {
        var holder = AcmeOrderLock.TryAcquire(LockPath)!;

        var waiting = AcmeOrderLock.AcquireAsync(LockPath, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        holder.Dispose();

        using var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(acquired);
    }

    [Fact]
    public async Task AcquireAsync_HolderNeverReleases_TimesOutNamingTheLock()
    {
        using var holder = AcmeOrderLock.TryAcquire(LockPath)!;
        var clock = new MutableClock();
        var waiting = AcmeOrderLock.AcquireAsync(LockPath, TimeSpan.FromMinutes(4), clock, CancellationToken.None);

        clock.Offset = TimeSpan.FromMinutes(5);

        var exception = await Assert.ThrowsAsync<TimeoutException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(LockPath, exception.Message);
    }
}
