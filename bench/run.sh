#!/usr/bin/env bash
# Portcullis side by side with nginx (the guide's config and a tuned one), HAProxy and Caddy:
# same machine, same TLS upstream, same load generators, one run. See bench/README.md.
#
# Writes docs/benchmarks.md, docs/benchmarks.png and docs/benchmarks.tsv (the raw figures).
# Environment: BENCH_PROXIES (default: all five, in this order), BENCH_KEEP=1 keeps the work dir,
# BENCH_REF=<commit> builds Portcullis from that commit instead of the working tree,
# BENCH_OUT=<dir> writes the report there instead of docs/ (for trial runs),
# BENCH_PORTCULLIS=<dir> uses an already published Portcullis (the folder holding `portcullis`),
# BENCH_SCENARIOS="proxies forward-auth" picks what to measure (default: proxies only; forward-auth
# is bench/forward-auth.sh, which updates only the "Forward auth" section of docs/benchmarks.md).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
PROXIES=${BENCH_PROXIES:-"portcullis nginx-guide nginx-tuned haproxy caddy"}
SCENARIOS=${BENCH_SCENARIOS:-proxies}
for scenario in $SCENARIOS; do
    [[ $scenario == proxies || $scenario == forward-auth ]] || { echo "unknown scenario '$scenario' (proxies forward-auth)" >&2; exit 2; }
done
has_scenario() { [[ " $SCENARIOS " == *" $1 "* ]]; }
HOST=sso.domain.tld

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# 1. What the run needs, installed when missing (Debian's packages and one npm package).
# ---------------------------------------------------------------------------------------------
install_missing() {
    local missing=()
    command -v nginx >/dev/null || missing+=(nginx)
    command -v haproxy >/dev/null || missing+=(haproxy)
    command -v caddy >/dev/null || missing+=(caddy)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v h2load >/dev/null || missing+=(nghttp2-client)
    command -v openssl >/dev/null || missing+=(openssl)
    command -v curl >/dev/null || missing+=(curl)
    # Native AOT publish (src/Portcullis sets PublishAot): the linker and zlib's headers.
    command -v clang >/dev/null || missing+=(clang)
    dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
    if ((${#missing[@]})); then
        [[ $EUID -eq 0 ]] || die "missing ${missing[*]}: run as root or apt-get install them"
        log "installing ${missing[*]}"
        apt-get update -qq
        # The packages' own services must not start: every proxy here runs from its own config.
        DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        for service in nginx haproxy caddy; do
            systemctl stop "$service" 2>/dev/null || service "$service" stop 2>/dev/null || true
        done
    fi
    command -v node >/dev/null || die "node (20+) is needed for the WebSocket upstream and clients"
    command -v dotnet >/dev/null || die "the .NET 10 SDK is needed to build Portcullis"
    if [[ ! -d $BENCH/node_modules/ws ]]; then
        log "npm: installing ws into bench/node_modules"
        (cd "$BENCH" && npm ci --no-audit --no-fund --silent)
    fi
}

# Only the loopback is ever a target. sso.domain.tld must resolve to 127.0.0.1 for wrk and
# h2load (SNI and Host both come from the URL), so the run re-executes itself in a private mount
# namespace where /etc/hosts has that one extra line; the machine's /etc/hosts is not touched.
enter_namespace() {
    if getent hosts "$HOST" | grep -q '^127\.0\.0\.1'; then return; fi
    if [[ -z ${BENCH_IN_NAMESPACE:-} && $EUID -eq 0 ]] && command -v unshare >/dev/null; then
        exec unshare --mount env BENCH_IN_NAMESPACE=1 bash "${BASH_SOURCE[0]}" "$@"
    fi
    if [[ -n ${BENCH_IN_NAMESPACE:-} ]]; then
        local hosts
        hosts=$(mktemp /tmp/portcullis-bench-hosts.XXXXXX)
        { cat /etc/hosts; echo "127.0.0.1 $HOST"; } >"$hosts"
        mount --bind "$hosts" /etc/hosts
        getent hosts "$HOST" | grep -q '^127\.0\.0\.1' && return
    fi
    die "$HOST must resolve to 127.0.0.1: run as root (private mount namespace) or add it to /etc/hosts"
}

export BENCH_T0=${BENCH_T0:-$(date +%s)}
install_missing
enter_namespace "$@"

# ---------------------------------------------------------------------------------------------
# 2. Work directory, certificate, builds, cleanup.
# ---------------------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/portcullis-bench.XXXXXX)
RESULTS=$WORK/results.tsv
META=$WORK/meta.tsv
STARTED=()

cleanup() {
    local pid
    for pid in "${STARTED[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    sleep 0.2
    for pid in "${STARTED[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    [[ -n ${BENCH_KEEP:-} ]] && log "work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# Two connections per WebSocket and 2,000 of them, plus the client and the echo upstream.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
log "work directory $WORK, open files limit $(ulimit -n)"

busy_pct() { # share of all cores busy over three seconds, before anything of ours runs
    local a b
    read -r -a a < <(grep "^cpu " /proc/stat); sleep 3; read -r -a b < <(grep '^cpu ' /proc/stat)
    awk -v u=$(( (b[1]+b[2]+b[3]+b[6]+b[7]) - (a[1]+a[2]+a[3]+a[6]+a[7]) )) -v i=$(( (b[4]+b[5]) - (a[4]+a[5]) )) \
        'BEGIN { printf "%.0f", (u + i > 0 ? 100 * u / (u + i) : 0) }'
}
BUSY_BEFORE=$(busy_pct)
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
if (( BUSY_BEFORE > 10 )); then
    log "warning: the machine is already ${BUSY_BEFORE}% busy (load ${LOAD_BEFORE}): other work will distort the figures"
fi

result() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; }
meta() { printf '%s\t%s\n' "$1" "$2" >>"$META"; }

CERT=$WORK/cert.pem KEY=$WORK/key.pem PEM=$WORK/cert+key.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" -keyout "$KEY" -out "$CERT" 2>/dev/null
cat "$CERT" "$KEY" >"$PEM"

SOURCE=$ROOT
if [[ -n ${BENCH_REF:-} ]]; then
    SOURCE=$WORK/source
    mkdir -p "$SOURCE"
    git -C "$ROOT" archive "$BENCH_REF" | tar -x -C "$SOURCE"
fi
log "building Portcullis (Release, ${BENCH_REF:-working tree}) and the report tool"
if [[ -n ${BENCH_PORTCULLIS:-} ]]; then
    cp -r "$BENCH_PORTCULLIS" "$WORK/portcullis-bin"
else
    dotnet publish "$SOURCE/src/Portcullis" -c Release -o "$WORK/portcullis-bin" \
        --artifacts-path "$WORK/artifacts" -nologo -v quiet >"$WORK/publish.log" 2>&1 \
        || { cat "$WORK/publish.log"; die "dotnet publish failed"; }
fi
dotnet build "$BENCH/Report" -c Release -o "$WORK/report" \
    --artifacts-path "$WORK/artifacts" -nologo -v quiet >"$WORK/report-build.log" 2>&1 \
    || { cat "$WORK/report-build.log"; die "building bench/Report failed"; }

render() { # template, name, port, http port, keepalive, extra nginx line
    sed -e "s|@PORTCULLIS_LIMITS@|${PORTCULLIS_LIMITS:-}|g" -e "s|@WORK@|$WORK|g" -e "s|@NAME@|$2|g" -e "s|@PORT@|$3|g" -e "s|@HTTP_PORT@|$4|g" \
        -e "s|@CERT@|$CERT|g" -e "s|@KEY@|$KEY|g" -e "s|@PEM@|$PEM|g" \
        -e "s|@KEEPALIVE@|${5:-}|g" -e "s|@SSL_PROTOCOLS@|${6:-}|g" "$BENCH/conf/$1"
}

# ---------------------------------------------------------------------------------------------
# 3. What a proxy costs, read from /proc: all its processes (nginx's workers, ...).
# ---------------------------------------------------------------------------------------------
tree_pids() {
    local pid=$1 child
    [[ -d /proc/$pid ]] || return 0
    echo "$pid"
    for child in $(pgrep -P "$pid" || true); do tree_pids "$child"; done
}
cpu_ticks() { # utime+stime (fields 14, 15 of proc(5)) summed; comm may hold spaces
    local sum=0 pid rest
    for pid in "$@"; do
        rest=$(<"/proc/$pid/stat"); rest=${rest##*) }
        read -r -a f <<<"$rest"
        sum=$((sum + f[11] + f[12]))
    done
    echo "$sum"
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))
rss_kib() { local pid; for pid in "$@"; do awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; done | awk '{s+=$1} END {print s+0}'; }
pss_kib() { local pid; for pid in "$@"; do awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null; done | awk '{s+=$1} END {print s+0}'; }
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# ---------------------------------------------------------------------------------------------
# 4. The shared upstream: nginx on 9443 (HTTP), Node ws on 9444 (WebSockets), both TLS.
# ---------------------------------------------------------------------------------------------
wait_for_200() { # url, deadline in seconds; prints nothing, fails when it never answers 200
    local url=$1 until=$(( $(date +%s) + $2 ))
    while (( $(date +%s) < until )); do
        [[ $(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) == 200 ]] && return 0
        sleep 0.01
    done
    return 1
}

mkdir -p "$WORK/upstream/tmp"
render upstream-nginx.conf upstream 9443 0 >"$WORK/upstream/nginx.conf"
nginx -c "$WORK/upstream/nginx.conf" -p "$WORK/upstream" -e "$WORK/upstream/error.log" &
STARTED+=($!)
node "$BENCH/ws/echo-server.js" --port 9444 --cert "$CERT" --key "$KEY" >"$WORK/upstream/ws.log" 2>&1 &
STARTED+=($!)
wait_for_200 https://127.0.0.1:9443/ 10 || die "the upstream nginx did not start (port 9443 taken?)"
for _ in $(seq 100); do grep -q listening "$WORK/upstream/ws.log" && break; sleep 0.05; done
grep -q listening "$WORK/upstream/ws.log" || die "the WebSocket echo upstream did not start (port 9444 taken?)"
log "upstream: $(curl -sk -H "X-Forwarded-Proto: https" https://127.0.0.1:9443/)"

# ---------------------------------------------------------------------------------------------
# 5. One proxy: start, first 200, idle RSS, CPU per request, throughput, WebSockets, handshakes.
# ---------------------------------------------------------------------------------------------
measure() { # name, port, command...
    local name=$1 port=$2; shift 2
    local url="https://$HOST:$port/" dir=$WORK/$name
    log "== $name on $port"

    # Start-up: from the fork to the first proxied 200, polled with curl every 10 ms.
    local t0 t1 pid
    t0=$EPOCHREALTIME
    "$@" >"$dir/stdout.log" 2>"$dir/stderr.log" &
    pid=$!
    STARTED+=("$pid")
    local deadline=$(( ${t0%.*} + 15 )) ok=""
    while (( ${EPOCHREALTIME%.*} < deadline )); do
        if [[ $(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) == 200 ]]; then ok=1; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    t1=$EPOCHREALTIME
    if [[ -z $ok ]]; then
        log "$name never answered 200; its stderr:"; tail -20 "$dir/stderr.log" >&2
        kill -KILL "$pid" 2>/dev/null || true
        result "$name" failed 1
        return 0
    fi
    result "$name" startup_ms "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')"
    result "$name" body "$(curl -sk "$url" | tr -d '\n')"

    local pids
    sleep 2
    pids=$(tree_pids "$pid" | tr '\n' ' ')
    result "$name" processes "$(wc -w <<<"$pids")"
    result "$name" idle_rss_kib "$(rss_kib $pids)"
    result "$name" idle_pss_kib "$(pss_kib $pids)"

    # Warm-up, the same for all: JIT tiers, connection pools, nginx/haproxy caches.
    timeout 60 h2load --h1 -n 5000 -c 32 "$url" >/dev/null 2>&1 || true
    timeout 60 h2load -n 5000 -c 32 -m 10 "$url" >/dev/null 2>&1 || true
    pids=$(tree_pids "$pid" | tr '\n' ' ')

    # CPU per proxied request: the proxy's utime+stime over a fixed request count. Three rounds,
    # HTTP/1.1 and HTTP/2 interleaved, and the median: one round varies by ±15 % on a shared machine.
    local mode round c0 c1 out ok2xx
    local -A runs=() oks=()
    for round in 1 2 3; do
        for mode in h1 h2; do
            c0=$(cpu_ticks $pids)
            out=$(timeout 120 h2load $([[ $mode == h1 ]] && echo --h1) -n 60000 -c 32 "$url" 2>&1 || true)
            c1=$(cpu_ticks $pids)
            ok2xx=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' <<<"$out")
            runs[$mode]+="$(per $(( (c1 - c0) * TICK_US )) "${ok2xx:-0}") "
            oks[$mode]+="${ok2xx:-0} "
            echo "$out" >"$dir/cpu-$mode-$round.txt"
        done
    done
    for mode in h1 h2; do
        result "$name" "cpu_us_$mode" "$(median ${runs[$mode]})"
        result "$name" "cpu_us_${mode}_rounds" "${runs[$mode]% }"
        result "$name" "cpu_${mode}_2xx" "$(tr ' ' '\n' <<<"${oks[$mode]}" | awk 'NF { if (min == "" || $1 < min) min = $1 } END { print min + 0 }')"
    done

    # Throughput and latency: wrk at 64 HTTP/1.1 connections, h2load at 16 x 10 HTTP/2 streams.
    out=$(timeout 30 wrk -t1 -c64 -d5s --latency "$url" 2>&1 || true)
    echo "$out" >"$dir/wrk.txt"
    result "$name" rps_h1 "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    result "$name" h1_p50_ms "$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)"
    result "$name" h1_p99_ms "$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)"
    result "$name" h1_errors "$(awk '/Non-2xx|Socket errors/ {n++} END {print n+0}' <<<"$out")"
    out=$(timeout 30 h2load -D 5 -c 16 -m 10 --log-file="$dir/h2.log" "$url" 2>&1 || true)
    echo "$out" >"$dir/h2load.txt"
    result "$name" rps_h2 "$(sed -n 's/^finished in [0-9.]*s, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")"
    result "$name" h2_p50_ms "$(percentile 50 "$dir/h2.log")"
    result "$name" h2_p99_ms "$(percentile 99 "$dir/h2.log")"
    rm -f "$dir/h2.log"

    # WebSockets: RSS growth per idle socket with 2,000 open, then echoes, 16 in flight.
    pids=$(tree_pids "$pid" | tr '\n' ' ')
    out=$(timeout 120 node "$BENCH/ws/ws-bench.js" --url "wss://$HOST:$port/ws" --pids "$pids" --idle 2000 --seconds 5 2>&1 || true)
    echo "$out" >"$dir/ws.json"
    json_results "$name" "$out" opened kib_per_ws echo_per_s echo_cpu_us

    # Full TLS handshakes: a new connection and no session to resume, every time.
    pids=$(tree_pids "$pid" | tr '\n' ' ')
    out=$(timeout 30 node "$BENCH/ws/handshakes.js" --port "$port" --pids "$pids" --seconds 5 2>&1 || true)
    echo "$out" >"$dir/handshakes.json"
    json_results "$name" "$out" handshakes_per_s cpu_us_per_handshake protocol

    stop "$pid"
}

to_ms() { # wrk's "1.23ms" / "456.00us" / "1.2s" to milliseconds
    awk '{ v = $1; if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0; else if (v ~ /s$/) printf "%.2f", v * 1000 }'
}
percentile() { # h2load --log-file: start (us), status, duration (us)
    cut -f3 "$2" | sort -n | awk -v p="$1" '{ a[NR] = $1 } END { if (NR) { i = int(NR * p / 100); if (i < 1) i = 1; printf "%.2f", a[i] / 1000 } }'
}
json_results() { # name, one JSON line, keys
    local name=$1 json=$2 key value; shift 2
    for key in "$@"; do
        value=$(node -e 'try { const v = JSON.parse(process.argv[1])[process.argv[2]]; console.log(typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : (v ?? "")) } catch { console.log("") }' "$json" "$key")
        result "$name" "$key" "$value"
    done
}
stop() { # TERM, then KILL after 10 s
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# The proxies side by side (the default scenario); forward auth comes after the versions below.
if has_scenario proxies; then
# The upstream alone, once: what the machine can do with no proxy in between (HTTP/1.1).
out=$(timeout 30 wrk -t1 -c64 -d5s --latency -H "Host: $HOST:9443" https://127.0.0.1:9443/ 2>&1 || true)
result no-proxy rps_h1 "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
result no-proxy h1_p50_ms "$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)"
result no-proxy h1_p99_ms "$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)"

port=18443
for name in $PROXIES; do
    dir=$WORK/$name
    mkdir -p "$dir/tmp" "$dir/data" "$dir/storage"
    http_port=$((port - 363))
    case $name in
        portcullis)
            # Every client here is 127.0.0.1: a per-client connection limit (where this version
            # has one) would refuse the 2,000 WebSockets. No peer is given such a limit.
            PORTCULLIS_LIMITS="limits: { max_connections_per_client: 100000 }"
            render portcullis.yaml "$name" "$port" "$http_port" >"$dir/portcullis.yaml"
            if ! "$WORK/portcullis-bin/portcullis" validate --config "$dir/portcullis.yaml" >/dev/null 2>&1; then
                PORTCULLIS_LIMITS=""
                render portcullis.yaml "$name" "$port" "$http_port" >"$dir/portcullis.yaml"
            fi
            result "$name" config "$(grep -c max_connections_per_client "$dir/portcullis.yaml" || true)"
            measure "$name" "$port" "$WORK/portcullis-bin/portcullis" run --config "$dir/portcullis.yaml" ;;
        nginx-guide)
            render nginx-guide.conf "$name" "$port" "$http_port" 10 >"$dir/nginx.conf"
            measure "$name" "$port" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" ;;
        nginx-tuned)
            render nginx-guide.conf "$name" "$port" "$http_port" 256 "    ssl_protocols TLSv1.2 TLSv1.3;" >"$dir/nginx.conf"
            measure "$name" "$port" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" ;;
        haproxy)
            render haproxy.cfg "$name" "$port" "$http_port" >"$dir/haproxy.cfg"
            measure "$name" "$port" haproxy -f "$dir/haproxy.cfg" ;;
        caddy)
            render Caddyfile "$name" "$port" "$http_port" >"$dir/Caddyfile"
            measure "$name" "$port" env HOME="$dir" XDG_DATA_HOME="$dir/storage" XDG_CONFIG_HOME="$dir/storage" \
                caddy run --config "$dir/Caddyfile" --adapter caddyfile ;;
        *) die "unknown proxy '$name' (portcullis nginx-guide nginx-tuned haproxy caddy)" ;;
    esac
    port=$((port + 1))
done
fi

# ---------------------------------------------------------------------------------------------
# 6. The machine and the versions, then the report.
# ---------------------------------------------------------------------------------------------
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta machine "$(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), Linux $(uname -r)"
if [[ -n ${BENCH_REF:-} ]]; then
    meta portcullis "$(git -C "$ROOT" rev-parse --short "$BENCH_REF"), .NET $(dotnet --version)"
else
    meta portcullis "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$( [[ -z $(git -C "$ROOT" status --porcelain -- src 2>/dev/null) ]] || echo ' + uncommitted changes in src/'), .NET $(dotnet --version)"
fi
meta nginx "$(nginx -v 2>&1 | sed 's/.*nginx\///')"
meta haproxy "$(haproxy -v | awk 'NR == 1 {print $3}')"
meta caddy "$(caddy version | awk '{print $1}')"
meta openssl "$(openssl version | awk '{print $2}')"
meta load "$(h2load --version | awk '{print $2}'), wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}'), node $(node --version), ws $(node -p 'require(process.argv[1]).version' "$BENCH/node_modules/ws/package.json")"
meta ulimit_n "$(ulimit -n)"
meta other_load "${BUSY_BEFORE}% of the cores busy in the 3 s before the run; load average ${LOAD_BEFORE} before, $(cut -d' ' -f1 /proc/loadavg) after"
meta runtime_s "$(( $(date +%s) - BENCH_T0 ))"

OUT=${BENCH_OUT:-$ROOT/docs}
mkdir -p "$OUT"
if has_scenario proxies; then
    cp "$RESULTS" "$OUT/benchmarks.tsv"
    dotnet "$WORK/report/bench-report.dll" "$RESULTS" "$META" "$OUT/benchmarks.md" "$OUT/benchmarks.png"
fi
if has_scenario forward-auth; then
    # shellcheck source=bench/forward-auth.sh
    source "$BENCH/forward-auth.sh"
    forward_auth_scenario
    meta forward_auth_rounds "$FA_ROUNDS"
    meta forward_auth_seconds "$FA_SECONDS"
    cp "$FA_RESULTS" "$OUT/benchmarks-forward-auth.tsv"
    dotnet "$WORK/report/bench-report.dll" forward-auth "$FA_RESULTS" "$META" "$OUT/benchmarks.md"
fi
log "done in $(( $(date +%s) - BENCH_T0 ))s: $OUT/benchmarks.md$(has_scenario proxies && echo ', benchmarks.png, benchmarks.tsv')$(has_scenario forward-auth && echo ', benchmarks-forward-auth.tsv')"
