using System.Net;
using Portcullis.Proxy.Configuration;

namespace Portcullis.Tests.Configuration;

public sealed class AdminConfigTests : ConfigTextTests
{
    [Fact]
    public void LoadText_NoAdminSection_AdminOff()
    {
        Assert.Null(Load(Site).Admin);
    }

    [Theory]
    [InlineData("127.0.0.1:9901", "127.0.0.1", 9901)]
    [InlineData("\"[::1]:9901\"", "::1", 9901)]
    [InlineData("10.0.0.5:443", "10.0.0.5", 443)]
    public void LoadText_AdminListen_ReadsTheAddress(string value, string address, int port)
    {
        var admin = Load(Site + "admin:\n  listen: " + value + "\n").Admin;

        Assert.NotNull(admin);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), admin.Listen);
        Assert.Equal(7, admin.Location.Line);
    }

    [Fact]
    public void LoadText_AdminListenFromEnvironment_TurnsTheListenerOn()
    {
        var environment = new Dictionary<string, string> { ["PORTCULLIS_ADMIN__LISTEN"] = "127.0.0.1:9901" };

        var admin = ConfigLoader.LoadText(Site, "portcullis.yaml", Temp.Path, environment).Admin;

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9901), admin?.Listen);
    }

    [Fact]
    public void LoadText_AdminListenNotAnAddress_ErrorWithLineKeyAndHint()
    {
        var error = Assert.Single(Errors(Site + "admin:\n  listen: localhost:9901\n"));

        Assert.Equal("admin.listen", error.Key);
        Assert.Equal(7, error.Location.Line);
        Assert.Equal("'localhost:9901' is not an IP address and port.", error.Message);
        Assert.Contains("127.0.0.1:9901", error.Hint);
    }

    [Fact]
    public void LoadText_AdminUnknownKey_ErrorSuggestsListen()
    {
        var error = Assert.Single(Errors(Site + "admin:\n  listn: 127.0.0.1:9901\n"));

        Assert.Equal("admin.listn", error.Key);
        Assert.Contains("listen", error.Hint);
    }

    [Theory]
    [InlineData("listen:\n  https: [\"0.0.0.0:8443\"]\n  http: []\n", "0.0.0.0:8443", "listen.https: 0.0.0.0:8443")]
    [InlineData("listen:\n  https: [\"0.0.0.0:8443\"]\n  http: [\"127.0.0.1:8080\"]\n", "127.0.0.1:8080", "listen.http: 127.0.0.1:8080")]
    [InlineData("listen:\n  https: [\"192.168.1.5:8443\"]\n  http: []\n", "0.0.0.0:8443", "listen.https: 192.168.1.5:8443")]
    public void LoadText_AdminOnAPublicListenersAddress_Error(string listen, string admin, string names)
    {
        var error = Assert.Single(Errors(listen + Site + "admin:\n  listen: " + admin + "\n"));

        Assert.Equal("admin.listen", error.Key);
        Assert.Equal($"{admin} is also a public listener's address ({names}).", error.Message);
        Assert.Contains("port of its own", error.Hint);
    }

    [Theory]
    [InlineData("127.0.0.1:9901")] // Same address family as 0.0.0.0:8443, another port.
    [InlineData("\"[::1]:8443\"")]  // "[::]:8443" would be bound IPv6-only; 0.0.0.0 does not cover ::1.
    public void LoadText_AdminOnItsOwnAddress_Accepted(string admin)
    {
        var config = Load("listen:\n  https: [\"0.0.0.0:8443\"]\n  http: []\n" + Site + "admin:\n  listen: " + admin + "\n");

        Assert.NotNull(config.Admin);
    }
}
