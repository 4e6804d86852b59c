using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class AcmeBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Cap = TimeSpan.FromHours(6);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(9, 256)]
    [InlineData(10, 360)]
    [InlineData(1000, 360)]
    public void Delay_ConsecutiveFailures_DoublesUpToCap(int failures, int expectedMinutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), AcmeBackoff.Delay(failures, Initial, Cap, retryAfter: null));
    }

    [Fact]
    public void Delay_RetryAfterLongerThanBackoff_WaitsRetryAfter()
    {
        Assert.Equal(TimeSpan.FromHours(10), AcmeBackoff.Delay(1, Initial, Cap, TimeSpan.FromHours(10)));
    }

    [Fact]
    public void Delay_RetryAfterShorterThanBackoff_WaitsBackoff()
    {
        Assert.Equal(TimeSpan.FromMinutes(4), AcmeBackoff.Delay(3, Initial, Cap, TimeSpan.FromSeconds(5)));
    }
}
