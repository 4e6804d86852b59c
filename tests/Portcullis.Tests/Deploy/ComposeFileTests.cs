namespace Portcullis.Tests.Deploy;

/// <summary>deploy/compose against the Portcullis configuration it mounts.</summary>
public sealed class ComposeFileTests
{
    [Fact]
    public void Portcullis_PublishedPorts_MapPublic80And443ToTheListenPorts()
    {
        var compose = DeployFiles.Load("compose", "compose.yaml");
        var config = DeployFiles.Load("compose", "portcullis.yaml");

        var published = compose.Items("services", "portcullis", "ports").Select(p => p.ToString()).ToList();

        var http = DeployFiles.PortOf(Assert.Single(config.Items("listen", "http")).ToString());
        var https = DeployFiles.PortOf(Assert.Single(config.Items("listen", "https")).ToString());
        Assert.Equal([$"80:{http}", $"443:{https}"], published);
        // Redirects must name the port clients reach, not the container's.
        Assert.Equal("443", config.Text("listen", "https_port"));
    }

    [Fact]
    public void Portcullis_Upstream_IsTheAuthentikServerServiceOn9443_WhichPublishesNoPort()
    {
        var compose = DeployFiles.Load("compose", "compose.yaml");
        var config = DeployFiles.Load("compose", "portcullis.yaml");

        var route = Assert.Single(Assert.Single(config.Items("sites")).Items("routes"));

        Assert.Equal("https://server:9443", route.Text("upstream"));
        Assert.Null(compose.At("services", "server").Find("ports"));
    }

    [Fact]
    public void Portcullis_DataDirAndConfig_MountedWhereTheImageLooks()
    {
        var compose = DeployFiles.Load("compose", "compose.yaml");

        var service = compose.At("services", "portcullis");

        var volumes = service.Items("volumes").Select(v => v.ToString()).ToList();
        var command = service.Items("command").Select(c => c.ToString()).ToList();
        // The image makes data_dir's default $XDG_DATA_HOME/portcullis.
        var dataHome = File.ReadLines(DeployFiles.Path("container", "Containerfile")).Single(l => l.StartsWith("ENV XDG_DATA_HOME=", StringComparison.Ordinal)).Split('=')[1];
        Assert.Contains($"portcullis-data:{dataHome}/portcullis", volumes);
        Assert.Contains($"./portcullis.yaml:{command[command.IndexOf("--config") + 1]}:ro", volumes);
        Assert.NotNull(compose.At("volumes").Find("portcullis-data"));
    }
}
