using System.Net;
using Portcullis.Proxy.Tls.Acme;

namespace Portcullis.Tests.Tls.Acme;

public sealed class AcmeNoncePoolTests
{
    [Fact]
    public void TryTake_TwoAdded_NewestFirstAndEachOnce()
    {
        var pool = new AcmeNoncePool();
        pool.Add("old");
        pool.Add("new");

        Assert.True(pool.TryTake(out var first));
        Assert.True(pool.TryTake(out var second));
        Assert.False(pool.TryTake(out _));
        Assert.Equal(("new", "old"), (first, second));
    }

    [Fact]
    public void Add_ResponseWithReplayNonce_KeepsIt()
    {
        var pool = new AcmeNoncePool();
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Add("Replay-Nonce", "abc-_123");

        pool.Add(response);

        Assert.True(pool.TryTake(out var nonce));
        Assert.Equal("abc-_123", nonce);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("pad=")]
    [InlineData("a/b")]
    public void Add_NotBase64Url_Ignored(string nonce)
    {
        var pool = new AcmeNoncePool();

        pool.Add(nonce);

        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Add_MoreThanCapacity_DropsOldest()
    {
        var pool = new AcmeNoncePool();
        for (var i = 0; i < 40; i++)
        {
            pool.Add("n" + i);
        }

        Assert.Equal(16, pool.Count);
        var taken = new List<string>();
        while (pool.TryTake(out var nonce))
        {
            taken.Add(nonce);
        }

        Assert.Equal("n39", taken[0]);
        Assert.Equal("n24", taken[^1]);
    }
}
