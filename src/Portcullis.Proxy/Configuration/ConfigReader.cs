using System.Net;
using System.Security.Authentication;
using YamlDotNet.RepresentationModel;

namespace Portcullis.Proxy.Configuration;

/// <summary>
/// The one place that turns raw YAML into configuration records. It never stops at the first
/// problem: every unknown key, wrong type and unparsable value is collected with its location.
/// </summary>
internal sealed class ConfigReader(NodeOrigins origins, string baseDirectory)
{
    private static readonly string[] RootKeys = ["listen", "trusted_proxies", "data_dir", "limits", "timeouts", "log", "sites", "admin"];
    private static readonly string[] ListenKeys = ["http", "https", "https_port"];
    private static readonly string[] LimitKeys = ["max_request_headers", "max_request_line", "max_request_body", "max_response_headers", "max_streams_per_connection", "max_connections_per_client", "min_request_body_rate"];
    private static readonly string[] TimeoutKeys = ["client_header", "keep_alive", "upstream_connect", "upstream_response", "websocket_idle", "websocket_ping", "shutdown_drain"];
    private static readonly string[] LogKeys = ["access", "format"];
    private static readonly string[] AdminKeys = ["listen"];
    private static readonly string[] SiteKeys = ["hosts", "tls", "hsts", "redirect_http", "routes"];
    private static readonly string[] TlsKeys = ["certificate", "key", "min_version"];
    private static readonly string[] RouteKeys = ["path", "upstream", "strip_prefix", "upstream_tls", "health_check"];
    private static readonly string[] HealthCheckKeys = ["path", "interval", "timeout", "unhealthy_after", "healthy_after"];
    private static readonly string[] UpstreamTlsKeys = ["verify", "ca", "pin_sha256", "server_name"];

    private readonly List<ConfigError> _errors = [];
    private readonly List<string> _files = [];

    public IReadOnlyList<ConfigError> Errors => _errors;

    public ProxyConfig Read(YamlMappingNode root)
    {
        CheckKeys(root, "", RootKeys);
        var config = new ProxyConfig
        {
            Source = origins.FileName,
            Listen = ReadListen(Mapping(root, "listen", "listen")),
            TrustedProxies = ReadStrings(root, "trusted_proxies", "trusted_proxies")
                .Select(item => ParseNetwork(item.Node, item.Value)).OfType<IPNetwork>().ToArray(),
            DataDirectory = ReadPath(root, "data_dir", "data_dir") ?? DefaultDataDirectory(),
            Limits = ReadLimits(Mapping(root, "limits", "limits")),
            Timeouts = ReadTimeouts(Mapping(root, "timeouts", "timeouts")),
            Log = ReadLog(Mapping(root, "log", "log")),
            Sites = ReadSites(root),
            Admin = ReadAdmin(Mapping(root, "admin", "admin")),
            WatchedFiles = _files,
        };
        // Returned even with errors: the cross-key checks run on what could be read, so one run reports everything.
        return config;
    }

    private ListenConfig ReadListen(YamlMappingNode? node)
    {
        if (node is null)
        {
            return new ListenConfig { Http = DefaultEndpoints(8080), Https = DefaultEndpoints(8443) };
        }

        CheckKeys(node, "listen.", ListenKeys);
        var http = Child(node, "http") is null ? DefaultEndpoints(8080) : ReadEndpoints(node, "http");
        var https = Child(node, "https") is null ? DefaultEndpoints(8443) : ReadEndpoints(node, "https");
        var port = ReadInt(node, "https_port", "listen.https_port", 1, 65535);
        return new ListenConfig { Http = http, Https = https, HttpsPort = port };
    }

    private AdminConfig? ReadAdmin(YamlMappingNode? node)
    {
        if (node is null)
        {
            return null;
        }

        CheckKeys(node, "admin.", AdminKeys);
        if (Scalar(node, "listen", "admin.listen") is not { } listen)
        {
            return null;
        }

        if (listen.Value is { } value && value.Contains(':') && IPEndPoint.TryParse(value, out var endpoint) && value.EndsWith(":" + endpoint.Port, StringComparison.Ordinal))
        {
            return new AdminConfig { Listen = endpoint, Location = origins.Locate(listen) };
        }

        Error(listen, "admin.listen", $"'{listen.Value}' is not an IP address and port.", "write one address like \"127.0.0.1:9901\" or \"[::1]:9901\"; keep it off the public network.");
        return null;
    }

    private static IPEndPoint[] DefaultEndpoints(int port) => [new(IPAddress.Any, port), new(IPAddress.IPv6Any, port)];

    private IPEndPoint[] ReadEndpoints(YamlMappingNode node, string key)
    {
        var result = new List<IPEndPoint>();
        foreach (var (item, value) in ReadStrings(node, key, "listen." + key))
        {
            var text = value.StartsWith("*:", StringComparison.Ordinal) ? "0.0.0.0" + value[1..] : value;
            if (text.Contains(':') && IPEndPoint.TryParse(text, out var endpoint) && (text.EndsWith(":" + endpoint.Port, StringComparison.Ordinal)))
            {
                result.Add(endpoint);
            }
            else
            {
                Error(item, "listen." + key, $"'{value}' is not an IP address and port.", "write \"0.0.0.0:443\", \"[::]:443\" or \"127.0.0.1:8443\".");
            }
        }

        return result.ToArray();
    }

    private LimitsConfig ReadLimits(YamlMappingNode? node)
    {
        var defaults = new LimitsConfig();
        if (node is null)
        {
            return defaults;
        }

        CheckKeys(node, "limits.", LimitKeys);
        return new LimitsConfig
        {
            MaxRequestHeadersBytes = ReadSize(node, "max_request_headers", "limits.", 1024) ?? defaults.MaxRequestHeadersBytes,
            MaxRequestLineBytes = ReadSize(node, "max_request_line", "limits.", 1024) ?? defaults.MaxRequestLineBytes,
            MaxRequestBodyBytes = ReadSize(node, "max_request_body", "limits.", 0) ?? defaults.MaxRequestBodyBytes,
            MaxResponseHeadersBytes = ReadSize(node, "max_response_headers", "limits.", 1024) ?? defaults.MaxResponseHeadersBytes,
            MaxStreamsPerConnection = ReadInt(node, "max_streams_per_connection", "limits.max_streams_per_connection", 1, 10_000) ?? defaults.MaxStreamsPerConnection,
            MaxConnectionsPerClient = ReadInt(node, "max_connections_per_client", "limits.max_connections_per_client", 1, 1_000_000) ?? defaults.MaxConnectionsPerClient,
            MinRequestBodyBytesPerSecond = ReadSize(node, "min_request_body_rate", "limits.", 0) ?? defaults.MinRequestBodyBytesPerSecond,
        };
    }

    private TimeoutsConfig ReadTimeouts(YamlMappingNode? node)
    {
        var defaults = new TimeoutsConfig();
        if (node is null)
        {
            return defaults;
        }

        CheckKeys(node, "timeouts.", TimeoutKeys);
        return new TimeoutsConfig
        {
            ClientHeader = ReadDuration(node, "client_header") ?? defaults.ClientHeader,
            KeepAlive = ReadDuration(node, "keep_alive") ?? defaults.KeepAlive,
            UpstreamConnect = ReadDuration(node, "upstream_connect") ?? defaults.UpstreamConnect,
            UpstreamResponse = ReadDuration(node, "upstream_response") ?? defaults.UpstreamResponse,
            WebSocketIdle = ReadDuration(node, "websocket_idle") ?? defaults.WebSocketIdle,
            WebSocketPing = ReadDuration(node, "websocket_ping") ?? defaults.WebSocketPing,
            ShutdownDrain = ReadDuration(node, "shutdown_drain") ?? defaults.ShutdownDrain,
        };
    }

    private LogConfig ReadLog(YamlMappingNode? node)
    {
        if (node is null)
        {
            return new LogConfig();
        }

        CheckKeys(node, "log.", LogKeys);
        var access = ReadString(node, "access", "log.access") ?? "stdout";
        if (access is not ("stdout" or "off"))
        {
            access = FullPath(node, "access", "log.access", access) ?? "stdout";
        }

        var format = AccessLogFormat.Combined;
        if (Scalar(node, "format", "log.format") is { } formatNode)
        {
            switch (formatNode.Value)
            {
                case "combined": format = AccessLogFormat.Combined; break;
                case "json": format = AccessLogFormat.Json; break;
                default: Error(formatNode, "log.format", $"'{formatNode.Value}' is not a log format.", "use \"combined\" or \"json\"."); break;
            }
        }

        return new LogConfig { Access = access, Format = format };
    }

    private SiteConfig[] ReadSites(YamlMappingNode root)
    {
        var node = Child(root, "sites");
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            Error(node ?? root, "sites", "no site is configured.", "add a site: sites: [{ hosts: [sso.domain.tld], routes: [{ path: /, upstream: https://authentik:9443 }] }].");
            return [];
        }

        var sites = new List<SiteConfig>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var key = $"sites[{i}]";
            if (sequence.Children[i] is not YamlMappingNode site)
            {
                Error(sequence.Children[i], key, "a site must be a mapping.", "write hosts:, tls:, routes: under the dash.");
                continue;
            }

            sites.Add(ReadSite(site, key));
        }

        return sites.ToArray();
    }

    private SiteConfig ReadSite(YamlMappingNode node, string key)
    {
        CheckKeys(node, key + ".", SiteKeys);
        var hosts = new List<string>();
        foreach (var (item, value) in ReadStrings(node, "hosts", key + ".hosts"))
        {
            var host = value.Trim().TrimEnd('.').ToLowerInvariant();
            var bare = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
            if (Uri.CheckHostName(bare) == UriHostNameType.Unknown || host.Contains(':') && Uri.CheckHostName(host) != UriHostNameType.IPv6)
            {
                Error(item, key + ".hosts", $"'{value}' is not a host name.", "write the name without scheme or port, e.g. sso.domain.tld or *.domain.tld.");
                continue;
            }

            hosts.Add(host);
        }

        if (hosts.Count == 0)
        {
            Error(Child(node, "hosts") ?? node, key + ".hosts", "a site needs at least one host name.", "hosts: [sso.domain.tld]. Requests for other names get 421/404, never the upstream.");
        }

        string? hsts = "max-age=63072000";
        if (Scalar(node, "hsts", key + ".hsts") is { } hstsNode)
        {
            hsts = hstsNode.Value switch
            {
                "false" or "off" => null,
                "true" => hsts,
                { } value when value.StartsWith("max-age=", StringComparison.OrdinalIgnoreCase) => value,
                _ => Invalid(hstsNode, key + ".hsts", $"'{hstsNode.Value}' is not a Strict-Transport-Security value.", "write \"max-age=63072000\" (optionally \"; includeSubDomains\"), or false."),
            };
        }

        return new SiteConfig
        {
            Hosts = hosts,
            Tls = ReadSiteTls(Mapping(node, "tls", key + ".tls"), key + ".tls"),
            Hsts = hsts,
            HstsExplicit = Child(node, "hsts") is not null,
            RedirectHttp = ReadBool(node, "redirect_http", key + ".redirect_http") ?? true,
            Routes = ReadRoutes(node, key),
            Location = origins.Locate(node),
        };
    }

    private SiteTlsConfig ReadSiteTls(YamlMappingNode? node, string key)
    {
        if (node is null)
        {
            return new SiteTlsConfig();
        }

        CheckKeys(node, key + ".", TlsKeys);
        var minVersion = SslProtocols.Tls13;
        if (Scalar(node, "min_version", key + ".min_version") is { } versionNode)
        {
            switch (versionNode.Value)
            {
                case "1.3": minVersion = SslProtocols.Tls13; break;
                case "1.2": minVersion = SslProtocols.Tls12 | SslProtocols.Tls13; break;
                default: Error(versionNode, key + ".min_version", $"TLS {versionNode.Value} is not offered.", "use \"1.3\" (default) or \"1.2\" for old clients; older versions are broken (RFC 8996)."); break;
            }
        }

        var certificate = ReadPath(node, "certificate", key + ".certificate");
        var privateKey = ReadPath(node, "key", key + ".key");
        if ((certificate is null) != (privateKey is null))
        {
            Error(node, key, "certificate and key go together.", "give both PEM files (fullchain.pem and privkey.pem), or neither for a generated self-signed certificate.");
        }

        return new SiteTlsConfig { CertificatePath = certificate, KeyPath = privateKey, MinVersion = minVersion };
    }

    private RouteConfig[] ReadRoutes(YamlMappingNode site, string siteKey)
    {
        var node = Child(site, "routes");
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            Error(node ?? site, siteKey + ".routes", "a site needs at least one route.", "routes: [{ path: /, upstream: https://authentik:9443 }].");
            return [];
        }

        var routes = new List<RouteConfig>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var key = $"{siteKey}.routes[{i}]";
            if (sequence.Children[i] is not YamlMappingNode route)
            {
                Error(sequence.Children[i], key, "a route must be a mapping.", "write path: and upstream: under the dash.");
                continue;
            }

            CheckKeys(route, key + ".", RouteKeys);
            var path = ReadString(route, "path", key + ".path") ?? "/";
            if (!path.StartsWith('/') || path.Contains('?') || path.Contains('#'))
            {
                Error(Child(route, "path")!, key + ".path", $"'{path}' is not a path prefix.", "start it with '/', e.g. /authentik/.");
            }
            else if (routes.Any(r => r.Path == path))
            {
                // No path: key means "/", so two routes without one collide with no node to point at.
                Error(Child(route, "path") ?? route, key + ".path", $"the prefix '{path}' is routed twice in this site.", "merge the two routes; give the upstream a list for several servers.");
            }

            var upstreams = new List<Uri>();
            foreach (var (item, value) in ReadStrings(route, "upstream", key + ".upstream"))
            {
                if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme is "http" or "https")
                    && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.UserInfo.Length == 0)
                {
                    upstreams.Add(uri);
                }
                else
                {
                    Error(item, key + ".upstream", $"'{value}' is not an upstream URL.", "write http://host:port or https://host:port with no path (use strip_prefix to change paths).");
                }
            }

            if (Child(route, "upstream") is null)
            {
                Error(route, key + ".upstream", "the route has no upstream.", "upstream: https://authentik:9443.");
            }

            routes.Add(new RouteConfig
            {
                Path = path,
                StripPrefix = ReadBool(route, "strip_prefix", key + ".strip_prefix") ?? false,
                Upstreams = upstreams,
                UpstreamTls = ReadUpstreamTls(Mapping(route, "upstream_tls", key + ".upstream_tls"), key + ".upstream_tls"),
                HealthCheck = ReadHealthCheck(Mapping(route, "health_check", key + ".health_check"), key + ".health_check"),
            });
        }

        return routes.ToArray();
    }

    private HealthCheckConfig? ReadHealthCheck(YamlMappingNode? node, string key)
    {
        if (node is null)
        {
            return null;
        }

        CheckKeys(node, key + ".", HealthCheckKeys);
        var path = ReadString(node, "path", key + ".path");
        if (path is null)
        {
            Error(node, key + ".path", "a health check needs a path.", "path: /-/health/live/ (authentik answers it with 200 or 204 while it runs).");
            path = "/";
        }
        else if (!path.StartsWith('/') || path.Contains('#') || path.Any(char.IsWhiteSpace))
        {
            Error(Child(node, "path")!, key + ".path", $"'{path}' is not a path.", "start it with '/', e.g. /-/health/live/.");
        }

        var defaults = new HealthCheckConfig { Path = path };
        var interval = ReadDuration(node, "interval", key + ".") ?? defaults.Interval;
        var timeout = ReadDuration(node, "timeout", key + ".") ?? defaults.Timeout;
        return defaults with
        {
            Interval = interval,
            Timeout = timeout,
            UnhealthyAfter = ReadInt(node, "unhealthy_after", key + ".unhealthy_after", 1, 100) ?? defaults.UnhealthyAfter,
            HealthyAfter = ReadInt(node, "healthy_after", key + ".healthy_after", 1, 100) ?? defaults.HealthyAfter,
        };
    }

    private UpstreamTlsConfig ReadUpstreamTls(YamlMappingNode? node, string key)
    {
        if (node is null)
        {
            return UpstreamTlsConfig.Default;
        }

        CheckKeys(node, key + ".", UpstreamTlsKeys);
        var pins = new List<string>();
        foreach (var (item, value) in ReadStrings(node, "pin_sha256", key + ".pin_sha256"))
        {
            var bytes = new byte[32];
            if (Convert.TryFromBase64String(value, bytes, out var written) && written == 32)
            {
                pins.Add(value);
            }
            else
            {
                Error(item, key + ".pin_sha256", $"'{value}' is not a base64 SHA-256 hash.", "copy the pin from Portcullis's 502 page or log, or compute it with: openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64.");
            }
        }

        return new UpstreamTlsConfig
        {
            Verify = ReadBool(node, "verify", key + ".verify") ?? true,
            CaPath = ReadPath(node, "ca", key + ".ca"),
            PinSha256 = pins,
            ServerName = ReadString(node, "server_name", key + ".server_name"),
        };
    }

    private IPNetwork? ParseNetwork(YamlNode node, string value)
    {
        var text = value.Contains('/') ? value : value + (value.Contains(':') ? "/128" : "/32");
        // .NET 10 masks host bits away silently ("10.0.0.1/8" becomes 10.0.0.0/8); a user who wrote
        // them most likely meant one address, so say so instead of trusting a whole network.
        if (IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/')), out var address)
            && network.BaseAddress.Equals(address))
        {
            return network;
        }

        Error(node, "trusted_proxies", $"'{value}' is not a CIDR.", "write an address with a prefix length and no host bits set, e.g. 10.0.0.0/8 or fd00::/8.");
        return null;
    }

    private static string DefaultDataDirectory()
    {
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
        {
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(dataHome, "portcullis");
    }

    // ---- Typed accessors: each reports its own errors and returns null on absence or error.

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private YamlScalarNode? Scalar(YamlMappingNode node, string key, string fullKey)
    {
        var child = Child(node, key);
        if (child is null)
        {
            return null;
        }

        if (child is YamlScalarNode scalar)
        {
            return scalar;
        }

        Error(child, fullKey, "expected a single value, found a " + (child is YamlSequenceNode ? "list." : "mapping."), "write it on the same line as the key.");
        return null;
    }

    /// <summary>A section (listen:, tls:, …): absent or empty is null; a value or a list there is an error, not a silent default.</summary>
    private YamlMappingNode? Mapping(YamlMappingNode node, string key, string fullKey)
    {
        switch (Child(node, key))
        {
            case null or YamlScalarNode { Value: null or "" or "~" or "null" }:
                return null;
            case YamlMappingNode mapping:
                return mapping;
            case var other:
                Error(other, fullKey, "expected keys under it, found a " + (other is YamlSequenceNode ? "list." : "single value."), "write its keys on the lines below it, indented.");
                return null;
        }
    }

    private string? ReadString(YamlMappingNode node, string key, string fullKey) => Scalar(node, key, fullKey)?.Value;

    private string? ReadPath(YamlMappingNode node, string key, string fullKey)
    {
        var value = ReadString(node, key, fullKey);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var path = FullPath(node, key, fullKey, value);
        if (path is null)
        {
            return null;
        }

        if (key != "data_dir")
        {
            _files.Add(path);
        }

        return path;
    }

    // Path.GetFullPath throws on a NUL, which a quoted YAML string ("\0") or an environment
    // override can carry: reported like any other bad value (found by fuzz/run.sh config).
    private string? FullPath(YamlMappingNode node, string key, string fullKey, string value)
    {
        if (value.Contains('\0'))
        {
            Error(Child(node, key) ?? node, fullKey, "a path cannot contain a NUL character.", "remove the \\0 from the path.");
            return null;
        }

        return Path.GetFullPath(value, baseDirectory);
    }

    private bool? ReadBool(YamlMappingNode node, string key, string fullKey)
    {
        var scalar = Scalar(node, key, fullKey);
        return scalar?.Value switch
        {
            null => null,
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => Invalid<bool?>(scalar, fullKey, $"'{scalar.Value}' is not true or false.", "write true or false."),
        };
    }

    private int? ReadInt(YamlMappingNode node, string key, string fullKey, int min, int max)
    {
        var scalar = Scalar(node, key, fullKey);
        if (scalar?.Value is null)
        {
            return null;
        }

        if (int.TryParse(scalar.Value, out var value) && value >= min && value <= max)
        {
            return value;
        }

        return Invalid<int?>(scalar, fullKey, $"'{scalar.Value}' is not a whole number from {min} to {max}.", $"write a number from {min} to {max}.");
    }

    private TimeSpan? ReadDuration(YamlMappingNode node, string key, string prefix = "timeouts.")
    {
        var scalar = Scalar(node, key, prefix + key);
        if (scalar?.Value is null)
        {
            return null;
        }

        if (ValueParsers.TryParseDuration(scalar.Value, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        return Invalid<TimeSpan?>(scalar, prefix + key, $"'{scalar.Value}' is not a duration.", "write e.g. 500ms, 30s, 10m or 1h.");
    }

    private long? ReadSize(YamlMappingNode node, string key, string prefix, long min)
    {
        var scalar = Scalar(node, key, prefix + key);
        if (scalar?.Value is null)
        {
            return null;
        }

        if (ValueParsers.TryParseSize(scalar.Value, out var value) && value >= min)
        {
            return value;
        }

        return Invalid<long?>(scalar, prefix + key, $"'{scalar.Value}' is not a size of at least {min} bytes.", "write e.g. 64KiB, 100MiB or a number of bytes.");
    }

    /// <summary>A key that takes one value or a list of values: "upstream: url" or "upstream: [a, b]".</summary>
    private List<(YamlNode Node, string Value)> ReadStrings(YamlMappingNode node, string key, string fullKey)
    {
        var result = new List<(YamlNode, string)>();
        switch (Child(node, key))
        {
            case null:
                break;
            case YamlScalarNode { Value: { Length: > 0 } value } scalar:
                result.Add((scalar, value));
                break;
            case YamlScalarNode:
                break;
            case YamlSequenceNode sequence:
                foreach (var item in sequence.Children)
                {
                    if (item is YamlScalarNode { Value: { } value })
                    {
                        result.Add((item, value));
                    }
                    else
                    {
                        Error(item, fullKey, "expected a single value in this list.", "each list item is one string.");
                    }
                }

                break;
            case var other:
                Error(other, fullKey, "expected a value or a list, found a mapping.", "write a value, or a list in [brackets].");
                break;
        }

        return result;
    }

    private void CheckKeys(YamlMappingNode node, string prefix, string[] known)
    {
        foreach (var (keyNode, _) in node.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "?";
            if (Array.IndexOf(known, key) >= 0)
            {
                continue;
            }

            var suggestion = KeySuggestion.Closest(key, known);
            Error(keyNode, prefix + key, "unknown key.",
                suggestion is null ? $"known keys here: {string.Join(", ", known)}." : $"did you mean '{suggestion}'?");
        }
    }

    private T? Invalid<T>(YamlNode node, string key, string message, string hint)
    {
        Error(node, key, message, hint);
        return default;
    }

    private string? Invalid(YamlNode node, string key, string message, string hint) => Invalid<string>(node, key, message, hint);

    private void Error(YamlNode node, string key, string message, string? hint) =>
        _errors.Add(new ConfigError(origins.Locate(node), key, message, hint));
}
