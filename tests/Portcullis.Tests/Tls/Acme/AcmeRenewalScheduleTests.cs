using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class AcmeRenewalScheduleTests
{
    private static readonly DateTimeOffset NotBefore = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = NotBefore.AddDays(90);

    [Fact]
    public void FromLifetime_NinetyDayCertificates_RenewBetweenDay54AndDay60()
    {
        var times = Enumerable.Range(0, 200).Select(i => AcmeRenewalSchedule.FromLifetime(NotBefore, NotAfter, BitConverter.GetBytes(i))).ToArray();

        Assert.All(times, t => Assert.InRange(t, NotBefore.AddDays(54), NotBefore.AddDays(60)));
        Assert.True(times.Max() - times.Min() > TimeSpan.FromDays(4)); // spread, not all at once
    }

    [Fact]
    public void FromLifetime_SameSerial_SameTime()
    {
        byte[] serial = [1, 2, 3, 4];

        Assert.Equal(AcmeRenewalSchedule.FromLifetime(NotBefore, NotAfter, serial), AcmeRenewalSchedule.FromLifetime(NotBefore, NotAfter, serial));
    }

    [Fact]
    public void FromLifetime_SixDayCertificate_RenewsWithAThirdLeft()
    {
        var time = AcmeRenewalSchedule.FromLifetime(NotBefore, NotBefore.AddDays(6), [9]);

        Assert.InRange(time, NotBefore.AddDays(6 - 2 - 0.4), NotBefore.AddDays(4));
    }

    [Fact]
    public void FromWindow_Window_TimeInsideIt()
    {
        var window = new AcmeRenewalWindow(NotBefore.AddDays(10), NotBefore.AddDays(11));

        var times = Enumerable.Range(0, 100).Select(i => AcmeRenewalSchedule.FromWindow(window, BitConverter.GetBytes(i))).ToArray();

        Assert.All(times, t => Assert.InRange(t, window.Start, window.End));
        Assert.True(times.Distinct().Count() > 50);
    }

    [Fact]
    public void FromWindow_EmptyWindow_ItsStart()
    {
        var window = new AcmeRenewalWindow(NotBefore, NotBefore.AddDays(-1));

        Assert.Equal(NotBefore, AcmeRenewalSchedule.FromWindow(window, [1]));
    }
}
