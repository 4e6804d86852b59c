// bench-report RESULTS.tsv META.tsv OUT.md OUT.png
// bench-report forward-auth RESULTS.tsv META.tsv OUT.md   (only the "Forward auth" section of OUT.md)
// Turns the figures bench/run.sh measured into docs/benchmarks.md (raw figures beside ratios to
// nginx-tuned, issue 5's targets met or not) and a chart. The "What we changed and what it did"
// section of an existing OUT.md is carried over unchanged: it is written by hand; so is the
// "Forward auth" section, which only the forward-auth scenario writes (ForwardAuthSection.cs).
using System.Globalization;
using System.Text;
using Portcullis.Bench.Report;
using ScottPlot;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: bench-report RESULTS.tsv META.tsv OUT.md OUT.png | bench-report forward-auth RESULTS.tsv META.tsv OUT.md");
    return 2;
}

static Dictionary<string, string> ReadMeta(string path) => File.ReadAllLines(path).Select(l => l.Split('\t', 2)).Where(p => p.Length == 2)
    .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);

if (args[0] == "forward-auth")
{
    ForwardAuthSection.Update(args[3], Results.Read(args[1]), ReadMeta(args[2]));
    Console.WriteLine($"wrote the forward-auth section of {args[3]}");
    return 0;
}

var results = Results.Read(args[0]);
var meta = ReadMeta(args[1]);
var existing = File.Exists(args[2]) ? File.ReadAllText(args[2]) : null;
var changeLog = ChangeLog.Extract(existing);
var forwardAuth = ForwardAuthSection.Extract(existing);

File.WriteAllText(args[2], Markdown.Write(results, meta, changeLog, Path.GetFileName(args[3])) + (forwardAuth is null ? "" : "\n" + forwardAuth + "\n"));
Chart.Write(results, args[3]);
Console.WriteLine($"wrote {args[2]} and {args[3]}");
return 0;

namespace Portcullis.Bench.Report
{
    /// <summary>One figure: its key in results.tsv, how it reads, and which way is better.</summary>
    internal sealed record Metric(string Key, string Label, string Unit, bool LowerIsBetter, string Format, string? ChartLabel = null);

    internal static class Metrics
    {
        public const string Reference = "nginx-tuned";

        public static readonly string[] Proxies = ["portcullis", "nginx-guide", "nginx-tuned", "haproxy", "caddy"];

        public static readonly Dictionary<string, string> Names = new()
        {
            ["portcullis"] = "Portcullis",
            ["nginx-guide"] = "nginx, guide (keepalive 10)",
            ["nginx-tuned"] = "nginx, tuned (keepalive 256)",
            ["haproxy"] = "HAProxy",
            ["caddy"] = "Caddy",
            ["no-proxy"] = "no proxy",
        };

        public static readonly Metric[] All =
        [
            new("cpu_us_h1", "CPU per request, HTTP/1.1", "µs", true, "F1", "CPU/req h1"),
            new("cpu_us_h2", "CPU per request, HTTP/2", "µs", true, "F1", "CPU/req h2"),
            new("rps_h1", "requests/s, HTTP/1.1, 64 conns", "req/s", false, "N0", "req/s h1"),
            new("h1_p50_ms", "  p50 latency", "ms", true, "F2"),
            new("h1_p99_ms", "  p99 latency", "ms", true, "F2"),
            new("rps_h2", "requests/s, HTTP/2, 16 × 10 streams", "req/s", false, "N0", "req/s h2"),
            new("h2_p50_ms", "  p50 latency", "ms", true, "F2"),
            new("h2_p99_ms", "  p99 latency", "ms", true, "F2"),
            new("kib_per_ws", "RSS per idle WebSocket (2,000 open)", "KiB", true, "F1", "KiB/WebSocket"),
            new("echo_per_s", "WebSocket echoes/s (64 B, 16 in flight)", "/s", false, "N0", "ws echo/s"),
            new("echo_cpu_us", "  CPU per echo", "µs", true, "F1"),
            new("handshakes_per_s", "full TLS handshakes/s", "/s", false, "N0", "handshakes/s"),
            new("cpu_us_per_handshake", "  CPU per handshake", "µs", true, "F0"),
            new("idle_rss_kib", "RSS at idle after start-up", "MiB", true, "F1", "idle RSS"),
            new("startup_ms", "start to first proxied 200", "ms", true, "N0", "start-up"),
        ];
    }

    internal sealed class Results
    {
        private readonly Dictionary<(string Proxy, string Key), string> _values = [];

        public static Results Read(string path)
        {
            var results = new Results();
            foreach (var line in File.ReadAllLines(path))
            {
                var parts = line.Split('\t', 3);
                if (parts.Length == 3)
                {
                    results._values[(parts[0], parts[1])] = parts[2];
                }
            }

            return results;
        }

        public string? Text(string proxy, string key) => _values.TryGetValue((proxy, key), out var v) && v.Length > 0 ? v : null;

        public double? Number(string proxy, string key)
        {
            if (Text(proxy, key) is not { } text || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            return key == "idle_rss_kib" ? value / 1024 : value;
        }

        public double? Ratio(string proxy, string key, string reference = Metrics.Reference) =>
            Number(proxy, key) is { } v && Number(reference, key) is { } r && r > 0 ? v / r : null;

        public bool Has(string proxy) => _values.Keys.Any(k => k.Proxy == proxy);
    }

    internal static class ChangeLog
    {
        public const string Heading = "## What we changed and what it did";

        private const string Empty = """
            One row per change to Portcullis, in order, each measured with `bench/run.sh` (ratios are
            Portcullis / nginx-tuned from the same run). Changes that did not help stay in the table.

            | change | commit | CPU/req h1 before → after | CPU/req h2 before → after | req/s h1 before → after | KiB/WebSocket before → after | notes |
            |---|---|---|---|---|---|---|
            | (baseline: no tuning yet) | | | | | | see the table above |
            """;

        /// <summary>The hand-written section of an earlier report, or an empty table to start it.</summary>
        public static string Extract(string? markdown)
        {
            if (markdown is not null)
            {
                var start = markdown.IndexOf(Heading, StringComparison.Ordinal);
                if (start >= 0)
                {
                    var body = markdown[(start + Heading.Length)..];
                    var end = body.IndexOf("\n## ", StringComparison.Ordinal);
                    return (end >= 0 ? body[..end] : body).Trim('\n');
                }
            }

            return Empty.TrimEnd();
        }
    }

    internal static class Markdown
    {
        private static string Cell(Results r, string proxy, Metric m)
        {
            if (r.Number(proxy, m.Key) is not { } value)
            {
                return "–";
            }

            var text = value.ToString(m.Format, CultureInfo.InvariantCulture);
            return proxy != Metrics.Reference && r.Ratio(proxy, m.Key) is { } ratio
                ? $"{text} ({ratio.ToString("F2", CultureInfo.InvariantCulture)}×)"
                : text;
        }

        private static string F(double? v, string format = "F2") => v?.ToString(format, CultureInfo.InvariantCulture) ?? "–";

        public static string Write(Results r, Dictionary<string, string> meta, string changeLog, string chartFile)
        {
            string M(string key) => meta.TryGetValue(key, out var v) ? v : "?";
            var proxies = Metrics.Proxies.Where(r.Has).ToArray();
            var md = new StringBuilder();
            md.AppendLine("# Benchmarks: Portcullis beside nginx, HAProxy and Caddy");
            md.AppendLine();
            md.AppendLine("Generated by `bench/run.sh` (see `bench/README.md`); rerun it to replace everything here except");
            md.AppendLine("the hand-written section \"What we changed and what it did\" and \"Forward auth\" (its own scenario, `BENCH_SCENARIOS=forward-auth`). Raw figures: `docs/benchmarks.tsv`.");
            md.AppendLine();
            md.AppendLine($"- Run: {M("date")}, {M("runtime_s")} s end to end.");
            md.AppendLine($"- Machine: {M("machine")}. Load generators, proxy and upstream share the cores: only ratios from one run mean anything.");
            md.AppendLine($"- Portcullis {M("portcullis")} (Release, `portcullis run --config`, no tuning variables); nginx {M("nginx")}; HAProxy {M("haproxy")}; Caddy {M("caddy")}; OpenSSL {M("openssl")}.");
            md.AppendLine($"- Load: h2load {M("load")}; open files limit {M("ulimit_n")}.");
            md.AppendLine($"- Other work on the machine: {M("other_load")}. Anything above a few percent or a load average above ~1 means the figures are disturbed: rerun on a quiet machine.");
            md.AppendLine();
            md.AppendLine("## Figures");
            md.AppendLine();
            md.AppendLine("In brackets: the ratio to nginx, tuned (the reference of issue 5's targets). Lower is better for CPU, latency, memory and start-up; higher for rates.");
            md.AppendLine();
            md.AppendLine("| figure | unit | " + string.Join(" | ", proxies.Select(p => Metrics.Names[p])) + " |");
            md.AppendLine("|---|---|" + string.Concat(proxies.Select(_ => "---:|")));
            foreach (var m in Metrics.All)
            {
                var label = m.Label.StartsWith("  ", StringComparison.Ordinal) ? "&nbsp;&nbsp;" + m.Label.Trim() : m.Label;
                md.AppendLine($"| {label} | {m.Unit} | " + string.Join(" | ", proxies.Select(p => Cell(r, p, m))) + " |");
            }

            if (r.Number("no-proxy", "rps_h1") is { } direct)
            {
                md.AppendLine();
                md.AppendLine($"No proxy (wrk straight to the upstream, same flags): {direct.ToString("N0", CultureInfo.InvariantCulture)} req/s, " +
                              $"p50 {F(r.Number("no-proxy", "h1_p50_ms"))} ms, p99 {F(r.Number("no-proxy", "h1_p99_ms"))} ms.");
            }

            md.AppendLine();
            md.AppendLine($"![Ratios to nginx, tuned]({chartFile})");
            md.AppendLine();
            WriteTargets(md, r);
            WriteChecks(md, r, proxies);
            md.AppendLine("## Method");
            md.AppendLine();
            md.AppendLine("""
                The measuring method the project set itself (the same upstream, the same loads, each peer at its own best configuration), in one script. Every address is 127.0.0.1; every load is bounded in count or time.

                - **Upstream, the same for all**: nginx on 127.0.0.1:9443, TLS 1.2/1.3 with one self-signed P-256 certificate
                  for sso.domain.tld, HTTP/1.1, answering every request with a ~60-byte body echoing the X-Forwarded-Proto,
                  X-Forwarded-For and Host it received (keep-alive up to 1,000,000 requests, so the proxies' pools decide
                  reconnections). WebSockets: a Node `ws` echo server on 127.0.0.1:9444, also TLS, reached through each
                  proxy's `/ws` path.
                - **Proxies**, one at a time, each on its own port, started, measured, stopped; each terminates TLS for
                  sso.domain.tld with the same certificate and forwards over TLS without verifying (`verify: false`,
                  `tls_insecure_skip_verify`, `ssl verify none`). Configurations: `bench/conf/`. nginx, guide = the guide's
                  http block verbatim but ports and paths, `worker_processes auto`, `worker_connections 8192` (Debian's 768
                  cannot hold 2,000 WebSockets) and `keepalive_requests 100000` (h2load does not reconnect after nginx's GOAWAY
                  at the default 1,000 requests per connection); nginx, tuned = the same with `keepalive 256` and `ssl_protocols TLSv1.2 TLSv1.3`;
                  HAProxy with `http-reuse always`, `nbthread 2`; Caddy with its defaults; Portcullis with its defaults
                  except `limits.max_connections_per_client` raised (where the version has it), since every client
                  here is 127.0.0.1 and no peer has such a limit. Access logs are off everywhere.
                - **Warm-up**, the same for all, after the start-up figures: 5,000 HTTP/1.1 and 5,000 HTTP/2 requests.
                - **CPU per request**: `h2load -n 60000 -c 32` (`--h1` for HTTP/1.1), the proxy's own processes' utime+stime
                  from `/proc/PID/stat` (master and workers) before and after, divided by the 2xx responses; three rounds,
                  HTTP/1.1 and HTTP/2 interleaved, and the median (each round is in `docs/benchmarks.tsv`).
                - **Throughput**: `wrk -t1 -c64 -d5s --latency` (HTTP/1.1, wrk's p50/p99) and `h2load -D 5 -c 16 -m 10`
                  (HTTP/2; p50/p99 from h2load's per-request `--log-file`).
                - **WebSockets** (`bench/ws/ws-bench.js`): 2,000 wss connections opened through the proxy, 50 at a time; the sum
                  of the proxy's processes' VmRSS 2 s after the last one opened minus the sum before, divided by 2,000. Then
                  64-byte messages echoed on 16 of them, one in flight each, for 5 s: echoes/s and the proxy's CPU per echo.
                - **Full TLS handshakes** (`bench/ws/handshakes.js`): 4 loops, each opening a new TCP connection, handshaking
                  with SNI sso.domain.tld, ALPN http/1.1, offering no session ticket or ID (Node's `tls.connect` caches
                  nothing unless given a session), and closing as soon as the handshake completes, for 5 s. Every
                  handshake is therefore a full one (ECDHE + ECDSA P-256 signature) at the protocol the proxy prefers
                  (the guide's nginx 1.22 offers TLS 1.2 only). h2load was not used for this: it keeps its connections.
                - **Start-up**: from the fork of the proxy's process to the first 200 proxied from the upstream, polled with
                  `curl` every 10 ms (so a figure includes up to ~10 ms of polling and curl's own TLS handshake).
                - **Idle RSS**: the sum of VmRSS of the proxy's processes 2 s after that first 200 (nginx counts its master
                  and workers, whose shared pages are counted once per process; `docs/benchmarks.tsv` also has PSS).
                - sso.domain.tld resolves to 127.0.0.1 through a private mount namespace's /etc/hosts (wrk and h2load take
                  SNI and Host from the URL); the machine's /etc/hosts is not changed.

                """);
            md.AppendLine(ChangeLog.Heading);
            md.AppendLine();
            md.AppendLine(changeLog);
            return md.ToString();
        }

        private static void WriteTargets(StringBuilder md, Results r)
        {
            const string P = "portcullis";
            const string T = Metrics.Reference;
            md.AppendLine("## Issue 5's targets (Portcullis against its peers, this run)");
            md.AppendLine();
            md.AppendLine("| target | Portcullis | peer | ratio | met |");
            md.AppendLine("|---|---:|---:|---:|---|");

            void Row(string target, double? mine, double? peer, double? ratio, bool? met, string format = "F1", string? note = null)
            {
                var verdict = met switch { true => "**met**", false => "**not met**", null => "–" };
                md.AppendLine($"| {target} | {F(mine, format)} | {F(peer, format)} | {(ratio is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) + "×" : "–")} | {verdict}{note} |");
            }

            double? Mine(string key) => r.Number(P, key);
            double? Peer(string key, string proxy = T) => r.Number(proxy, key);
            foreach (var (key, name) in new[] { ("cpu_us_h1", "HTTP/1.1"), ("cpu_us_h2", "HTTP/2") })
            {
                var ratio = r.Ratio(P, key);
                Row($"CPU per request, {name}: at most 1.5× nginx-tuned (aim 1.0), µs", Mine(key), Peer(key), ratio, ratio is null ? null : ratio <= 1.5,
                    note: ratio is { } x && x <= 1.0 ? " (aim reached)" : null);
            }

            foreach (var (key, name) in new[] { ("rps_h1", "64 HTTP/1.1 connections"), ("rps_h2", "16 × 10 HTTP/2 streams") })
            {
                var ratio = r.Ratio(P, key);
                Row($"requests/s at {name}: at least nginx-tuned's", Mine(key), Peer(key), ratio, ratio is null ? null : ratio >= 1.0, "N0");
            }

            var ws = r.Ratio(P, "kib_per_ws");
            var wsHa = r.Ratio(P, "kib_per_ws", "haproxy");
            Row("KiB per idle WebSocket: at most nginx's (aim HAProxy's)", Mine("kib_per_ws"), Peer("kib_per_ws"), ws, ws is null ? null : ws <= 1.0,
                note: wsHa is { } h ? $" (HAProxy: {F(Peer("kib_per_ws", "haproxy"), "F1")} KiB, {h.ToString("F2", CultureInfo.InvariantCulture)}×)" : null);
            var cliff = r.Ratio(P, "rps_h1", "nginx-guide");
            Row("no cliff: requests/s at 64 HTTP/1.1 connections at least 2× the guide's nginx", Mine("rps_h1"), Peer("rps_h1", "nginx-guide"), cliff, cliff is null ? null : cliff >= 2.0, "N0");
            var start = Mine("startup_ms");
            Row("first proxied response within 300 ms of process start (aim nginx's), ms", start, Peer("startup_ms"), r.Ratio(P, "startup_ms"), start is null ? null : start <= 300, "N0");
            var rss = Mine("idle_rss_kib");
            Row("idle RSS at most 40 MiB (aim nginx's), MiB", rss, Peer("idle_rss_kib"), r.Ratio(P, "idle_rss_kib"), rss is null ? null : rss <= 40);
            md.AppendLine();
            md.AppendLine("The peer column is nginx, tuned, except for the no-cliff row (nginx with the guide's `keepalive 10`).");
            md.AppendLine();
        }

        private static void WriteChecks(StringBuilder md, Results r, string[] proxies)
        {
            md.AppendLine("## Same work, checked in the same run");
            md.AppendLine();
            md.AppendLine("| proxy | upstream's echo of the first request | TLS to the handshake client | 2xx of 60,000 (h1 / h2) | WebSockets opened | processes |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var p in proxies)
            {
                md.AppendLine($"| {Metrics.Names[p]} | `{r.Text(p, "body") ?? "–"}` | {r.Text(p, "protocol") ?? "–"} | " +
                              $"{r.Text(p, "cpu_h1_2xx") ?? "–"} / {r.Text(p, "cpu_h2_2xx") ?? "–"} | {r.Text(p, "opened") ?? "–"} | {r.Text(p, "processes") ?? "–"} |");
            }

            md.AppendLine();
        }
    }

    internal static class Chart
    {
        private const double Cap = 6;

        public static void Write(Results r, string path)
        {
            var proxies = Metrics.Proxies.Where(r.Has).ToArray();
            var costs = Metrics.All.Where(m => m.ChartLabel is not null && m.LowerIsBetter).ToArray();
            var rates = Metrics.All.Where(m => m.ChartLabel is not null && !m.LowerIsBetter).ToArray();

            var multiplot = new Multiplot();
            multiplot.Reset(Panel(r, proxies, costs, "Cost: ratio to nginx, tuned (lower is better; bars cut at 6×, labels exact)"));
            multiplot.AddPlot(Panel(r, proxies, rates, "Rates: ratio to nginx, tuned (higher is better)"));
            multiplot.SavePng(path, 1400, 1000);
        }

        private static Plot Panel(Results r, string[] proxies, Metric[] metrics, string title)
        {
            var plot = new Plot();
            var palette = new ScottPlot.Palettes.Category10();
            var bars = new List<Bar>();
            var group = proxies.Length + 1;
            for (var j = 0; j < metrics.Length; j++)
            {
                for (var i = 0; i < proxies.Length; i++)
                {
                    if (r.Ratio(proxies[i], metrics[j].Key) is { } ratio)
                    {
                        bars.Add(new Bar
                        {
                            Position = j * group + i,
                            // One start-up ratio of 30 would flatten every other bar: cut, and label the true value.
                            Value = Math.Min(ratio, Cap),
                            FillColor = palette.GetColor(i),
                            Size = 0.9,
                            Label = ratio.ToString("F1", CultureInfo.InvariantCulture),
                        });
                    }
                }
            }

            var barPlot = plot.Add.Bars(bars);
            barPlot.ValueLabelStyle.FontSize = 11;
            plot.Axes.Bottom.SetTicks(
                metrics.Select((_, j) => j * group + (proxies.Length - 1) / 2.0).ToArray(),
                metrics.Select(m => m.ChartLabel!).ToArray());
            plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
            var line = plot.Add.HorizontalLine(1);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Black;
            for (var i = 0; i < proxies.Length; i++)
            {
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = Metrics.Names[proxies[i]], FillColor = palette.GetColor(i) });
            }

            plot.ShowLegend(Edge.Right);
            plot.Title(title);
            plot.Axes.Margins(bottom: 0, top: 0.15);
            return plot;
        }
    }
}
