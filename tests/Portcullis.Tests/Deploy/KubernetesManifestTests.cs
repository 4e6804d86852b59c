using Portcullis.Proxy.Configuration;
using YamlDotNet.RepresentationModel;

namespace Portcullis.Tests.Deploy;

/// <summary>
/// deploy/kubernetes against the configuration its ConfigMap carries: a probe on a port the admin
/// listener does not serve, a Secret mounted where the config does not look, or a grace period
/// shorter than the drain would all apply cleanly and fail only in the cluster.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly YamlMappingNode Kustomization = DeployFiles.Load("kubernetes", "kustomization.yaml");
    private static readonly YamlMappingNode Deployment = DeployFiles.Load("kubernetes", "deployment.yaml");
    private static readonly YamlNode Pod = Deployment.At("spec", "template", "spec");
    private static readonly YamlNode Container = Assert.Single(Pod.Items("containers"));

    private static YamlMappingNode CarriedConfig()
    {
        var generator = Assert.Single(Kustomization.Items("configMapGenerator"));
        var file = Assert.Single(generator.Items("files")).ToString();
        return DeployFiles.Load("kubernetes", file);
    }

    private static int ContainerPort(string name) =>
        int.Parse(Container.Items("ports").Single(port => port.Text("name") == name).Text("containerPort"));

    private static string MountPathOfVolume(Func<YamlNode, bool> isVolume)
    {
        var volume = Pod.Items("volumes").Single(isVolume).Text("name");
        var mount = Container.Items("volumeMounts").Single(m => m.Text("name") == volume);
        // The kubelet updates a ConfigMap or Secret volume by swapping a symlink; a subPath mount never sees it.
        Assert.Null(mount.Find("subPath"));
        return mount.Text("mountPath");
    }

    [Theory]
    [InlineData("livenessProbe", "/healthz")]
    [InlineData("readinessProbe", "/readyz")]
    public void Probe_ConfigMapAdminListener_PortAndPathServedByIt(string probe, string path)
    {
        var admin = CarriedConfig().Text("admin", "listen");

        var port = Container.Text(probe, "httpGet", "port");

        Assert.Equal(path, Container.Text(probe, "httpGet", "path"));
        Assert.Equal(DeployFiles.PortOf(admin), int.TryParse(port, out var number) ? number : ContainerPort(port));
        // The kubelet probes the pod's IP, never its loopback.
        Assert.False(admin.StartsWith("127.", StringComparison.Ordinal) || admin.StartsWith("[::1]", StringComparison.Ordinal), admin);
    }

    [Theory]
    [InlineData("http", "80")]
    [InlineData("https", "443")]
    public void ServicePort_TargetsContainerPortOfListener_PublicPortAsConfigured(string listener, string publicPort)
    {
        var config = CarriedConfig();
        var service = DeployFiles.Load("kubernetes", "service.yaml");

        var port = service.Items("spec", "ports").Single(p => p.Text("port") == publicPort);

        var listenPorts = config.Items("listen", listener).Select(a => DeployFiles.PortOf(a.ToString())).Distinct();
        Assert.Equal(Assert.Single(listenPorts), ContainerPort(port.Text("targetPort")));
        Assert.Equal("LoadBalancer", service.Text("spec", "type"));
        if (listener == "https")
        {
            Assert.Equal(publicPort, config.Text("listen", "https_port"));
        }
    }

    [Fact]
    public void Service_AdminListener_NotExposed()
    {
        var service = DeployFiles.Load("kubernetes", "service.yaml");

        var targets = service.Items("spec", "ports").Select(p => p.Text("targetPort")).ToList();

        Assert.DoesNotContain("admin", targets);
        Assert.DoesNotContain(ContainerPort("admin").ToString(), targets);
    }

    [Fact]
    public void Listen_BehindLoadBalancer_ProxyProtocolFromTrustedPeersOnly()
    {
        var config = CarriedConfig();

        Assert.Equal("true", config.Text("listen", "proxy_protocol"));
        Assert.NotEmpty(config.Items("trusted_proxies"));
    }

    [Fact]
    public void TlsSecret_MountedWhereConfigNamesCertificateAndKey_WithoutSubPath()
    {
        var tls = Assert.Single(CarriedConfig().Items("sites")).At("tls");

        var mountPath = MountPathOfVolume(v => v.Find("secret") is not null);

        // A kubernetes.io/tls Secret (kubectl create secret tls, cert-manager) holds tls.crt and tls.key.
        Assert.Equal($"{mountPath}/tls.crt", tls.Text("certificate"));
        Assert.Equal($"{mountPath}/tls.key", tls.Text("key"));
    }

    [Fact]
    public void ConfigMap_MountedWhereArgsReadTheConfig_FromTheGeneratedConfigMap()
    {
        var generator = Assert.Single(Kustomization.Items("configMapGenerator"));
        var args = Container.Items("args").Select(a => a.ToString()).ToList();

        var mountPath = MountPathOfVolume(v => v.Find("configMap") is { } configMap && configMap.Text("name") == generator.Text("name"));

        Assert.Equal("run", args[0]);
        Assert.Equal($"{mountPath}/{Assert.Single(generator.Items("files"))}", args[args.IndexOf("--config") + 1]);
        // A hashed name would roll the pods on every edit instead of the live reload.
        Assert.Equal("true", generator.Text("options", "disableNameSuffixHash"));
    }

    [Fact]
    public void DataDir_ReadOnlyRootFilesystem_IsAWritableVolume()
    {
        var dataDir = CarriedConfig().Text("data_dir");

        var mount = Container.Items("volumeMounts").Single(m => m.Text("mountPath") == dataDir);

        Assert.Equal("true", Container.Text("securityContext", "readOnlyRootFilesystem"));
        Assert.Null(mount.Find("readOnly"));
    }

    [Fact]
    public void TerminationGracePeriod_PreStopAndShutdownDrain_ExceedsBoth()
    {
        Assert.True(ValueParsers.TryParseDuration(CarriedConfig().Text("timeouts", "shutdown_drain"), out var drain));
        var preStop = int.Parse(Container.Text("lifecycle", "preStop", "sleep", "seconds"));

        var grace = int.Parse(Pod.Text("terminationGracePeriodSeconds"));

        Assert.True(grace > preStop + drain.TotalSeconds, $"terminationGracePeriodSeconds {grace} <= preStop {preStop} + shutdown_drain {drain.TotalSeconds}");
    }

    [Fact]
    public void PodDisruptionBudget_SeveralReplicas_LeavesOneServing()
    {
        var budget = DeployFiles.Load("kubernetes", "poddisruptionbudget.yaml");

        var replicas = int.Parse(Deployment.Text("spec", "replicas"));

        Assert.True(replicas >= 2, $"replicas {replicas}");
        Assert.True(int.Parse(budget.Text("spec", "maxUnavailable")) < replicas);
        // The budget and the Service find the pods by the label kustomize adds to every selector.
        Assert.Equal("true", Assert.Single(Kustomization.Items("labels")).Text("includeSelectors"));
    }

    [Fact]
    public void Kustomization_EveryManifestInTheFolder_IsAResourceOrTheGeneratedConfig()
    {
        var listed = Kustomization.Items("resources").Select(r => r.ToString())
            .Concat(Kustomization.Items("configMapGenerator").SelectMany(g => g.Items("files")).Select(f => f.ToString()))
            .Append("kustomization.yaml")
            .Order().ToList();

        var files = Directory.GetFiles(DeployFiles.Path("kubernetes"), "*.yaml").Select(f => System.IO.Path.GetFileName(f)!).Order().ToList();

        Assert.Equal(listed, files);
    }
}
