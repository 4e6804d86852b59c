#!/usr/bin/env bash
# Bounded soak of a published Release Portcullis on loopback: HTTP/1.1 (wrk), HTTP/2 (h2load) and
# ~200 WebSockets (node + ws) through Portcullis to `portcullis emulate`, for SOAK_SECONDS
# (default 600). Samples Portcullis's RSS every SOAK_SAMPLE_SECONDS (default 5) to a CSV, then
# asserts zero errors and bounded RSS growth after warm-up. See soak/README.md.
#
# Environment: SOAK_SECONDS (600), SOAK_RSS_BOUND_MIB (20), SOAK_SOCKETS (200), SOAK_WRK_CONNECTIONS (8),
# SOAK_H2_CLIENTS (4), SOAK_H2_STREAMS (8), SOAK_OUT (directory for the CSV and logs; default a new
# /tmp/portcullis-soak.XXXXXX), SOAK_PUBLISHED (an already published directory: skip the publish).
set -euo pipefail

SOAK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$SOAK")
SECONDS_TOTAL=${SOAK_SECONDS:-600}
SAMPLE=${SOAK_SAMPLE_SECONDS:-5}
BOUND_MIB=${SOAK_RSS_BOUND_MIB:-20}
SOCKETS=${SOAK_SOCKETS:-200}
WRK_CONNECTIONS=${SOAK_WRK_CONNECTIONS:-8}
H2_CLIENTS=${SOAK_H2_CLIENTS:-4}
H2_STREAMS=${SOAK_H2_STREAMS:-8}
# Warm-up: the first two minutes (JIT tiering, pools filling, GC finding its budget) are not
# judged; a short smoke run judges from a third of its length instead.
WARMUP=$(( SECONDS_TOTAL >= 360 ? 120 : SECONDS_TOTAL / 3 ))

log() { printf '%s soak: %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 2; }

(( SECONDS_TOTAL >= 30 )) || die "SOAK_SECONDS must be at least 30"

# --- What the run needs, installed when missing ---------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v h2load >/dev/null || missing+=(nghttp2-client)
command -v python3 >/dev/null || missing+=(python3)
# A Native AOT publish (PublishAot in src/Portcullis/Portcullis.csproj) links with clang and zlib.
if [[ -z ${SOAK_PUBLISHED:-} ]] && grep -q '<PublishAot>true' "$ROOT/src/Portcullis/Portcullis.csproj"; then
    command -v clang >/dev/null || missing+=(clang)
    dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
fi
if ((${#missing[@]})); then
    [[ $EUID -eq 0 ]] || die "missing ${missing[*]}: run as root or apt-get install them"
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v node >/dev/null || die "node (20+) is needed for the WebSocket clients"
command -v dotnet >/dev/null || die "the .NET 10 SDK is needed to publish Portcullis"
if [[ ! -d $SOAK/node_modules/ws ]]; then
    log "npm: installing ws into soak/node_modules"
    (cd "$SOAK" && npm ci --no-audit --no-fund --silent)
fi

# --- Work directory and cleanup ---------------------------------------------------------------
OUT=${SOAK_OUT:-$(mktemp -d /tmp/portcullis-soak.XXXXXX)}
mkdir -p "$OUT"
STARTED=()
cleanup() {
    local pid
    for pid in "${STARTED[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Build ------------------------------------------------------------------------------------
if [[ -n ${SOAK_PUBLISHED:-} ]]; then
    PUB=$SOAK_PUBLISHED
else
    PUB=$OUT/publish
    log "publishing Release Portcullis to $PUB"
    dotnet publish "$ROOT/src/Portcullis" -c Release -o "$PUB" --nologo -v quiet >"$OUT/publish.log" 2>&1 \
        || { tail -20 "$OUT/publish.log" >&2; die "publish failed"; }
fi
[[ -x $PUB/portcullis ]] || die "no portcullis executable in $PUB"

# --- Ports (free ones on 127.0.0.1, chosen now) --------------------------------------------------
read -r UP_PORT UP_TLS_PORT HTTP_PORT HTTPS_PORT < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()
PY
)

wait_port() {  # wait_port PORT PID NAME
    for _ in $(seq 150); do
        kill -0 "$2" 2>/dev/null || die "$3 exited at start (see $OUT/$3.log)"
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return; fi
        sleep 0.2
    done
    die "$3 did not listen on 127.0.0.1:$1 in 30 s"
}

# --- Upstream: the authentik emulator, plain HTTP on loopback -----------------------------------
# Its HTTPS listener (unused) is given a loopback port too: by default it would bind 0.0.0.0:9443.
"$PUB/portcullis" emulate --http "127.0.0.1:$UP_PORT" --https "127.0.0.1:$UP_TLS_PORT" >"$OUT/emulator.log" 2>&1 &
STARTED+=($!)
wait_port "$UP_PORT" $! emulator

# --- Portcullis ----------------------------------------------------------------------------------
# Every load generator connects from 127.0.0.1, so the per-client connection cap (256 by default)
# is raised: the soak measures endurance, not the cap (tests/Portcullis.EndToEnd covers that).
# The access log is off so that the disk and stdout are not part of what is measured.
cat >"$OUT/portcullis.yaml" <<YAML
listen:
  http: ["127.0.0.1:$HTTP_PORT"]
  https: ["127.0.0.1:$HTTPS_PORT"]
data_dir: $OUT/data
limits:
  max_connections_per_client: 4096
log:
  access: "off"
sites:
  - hosts: [localhost, 127.0.0.1]
    routes:
      - path: /
        upstream: http://127.0.0.1:$UP_PORT
YAML
"$PUB/portcullis" run --config "$OUT/portcullis.yaml" >"$OUT/portcullis.log" 2>&1 &
PORTCULLIS_PID=$!
STARTED+=($PORTCULLIS_PID)
wait_port "$HTTPS_PORT" $PORTCULLIS_PID portcullis
BASE=https://127.0.0.1:$HTTPS_PORT
curl -skf "$BASE/-/health/live/" >/dev/null || die "Portcullis does not answer $BASE/-/health/live/"
log "portcullis pid $PORTCULLIS_PID on $BASE -> emulator 127.0.0.1:$UP_PORT; ${SECONDS_TOTAL}s, warm-up ${WARMUP}s, work dir $OUT"

# --- RSS sampler ---------------------------------------------------------------------------------
RSS_CSV=$OUT/rss.csv
(
    echo "seconds,rss_kib"
    t0=$(date +%s)
    while kill -0 "$PORTCULLIS_PID" 2>/dev/null; do
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$PORTCULLIS_PID/status" 2>/dev/null || true)
        [[ -n $rss ]] && echo "$(( $(date +%s) - t0 )),$rss"
        sleep "$SAMPLE"
    done
) >"$RSS_CSV" &
STARTED+=($!)

# --- Load ----------------------------------------------------------------------------------------
# All three run for the same bounded time; each stops by itself.
node "$SOAK/ws-soak.js" "wss://127.0.0.1:$HTTPS_PORT/ws/client/" "$SECONDS_TOTAL" "$SOCKETS" >"$OUT/ws.json" 2>"$OUT/ws.err" &
WS_PID=$!
STARTED+=($WS_PID)
wrk -t 2 -c "$WRK_CONNECTIONS" -d "${SECONDS_TOTAL}s" --timeout 5s -s "$SOAK/count-status.lua" "$BASE/" >"$OUT/wrk.txt" 2>&1 &
WRK_PID=$!
STARTED+=($WRK_PID)
h2load -c "$H2_CLIENTS" -m "$H2_STREAMS" -D "$SECONDS_TOTAL" "$BASE/api/v3/admin/system/" "$BASE/-/health/live/" >"$OUT/h2load.txt" 2>&1 &
H2_PID=$!
STARTED+=($H2_PID)

ws_rc=0; wrk_rc=0; h2_rc=0
wait "$WRK_PID" || wrk_rc=$?
wait "$H2_PID" || h2_rc=$?
wait "$WS_PID" || ws_rc=$?
kill -0 "$PORTCULLIS_PID" 2>/dev/null || die "Portcullis died during the soak (see $OUT/portcullis.log)"
sleep "$SAMPLE"   # one more RSS sample after the load

# --- Verdict -------------------------------------------------------------------------------------
problems=()

wrk_requests=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
wrk_non2xx=$(awk '/^soak-non2xx/ {print $2}' "$OUT/wrk.txt")
wrk_socket=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' "$OUT/wrk.txt")
[[ -n $wrk_requests && -n $wrk_non2xx ]] || problems+=("wrk printed no summary (rc $wrk_rc, see $OUT/wrk.txt)")
(( ${wrk_non2xx:-1} == 0 )) || problems+=("wrk: $wrk_non2xx non-2xx responses")
(( ${wrk_socket:-0} == 0 )) || problems+=("wrk: $wrk_socket socket errors ($(grep 'Socket errors' "$OUT/wrk.txt"))")

# h2load: "requests: 1000 total, 1000 started, 1000 done, 1000 succeeded, 0 failed, 0 errored, 0 timeout"
read -r h2_done h2_ok h2_failed h2_errored h2_timeout < <(awk '/^requests:/ {print $6, $8, $10, $12, $14}' "$OUT/h2load.txt") || true
read -r h2_2xx h2_3xx h2_4xx h2_5xx < <(awk '/^status codes:/ {print $3, $5, $7, $9}' "$OUT/h2load.txt") || true
[[ -n ${h2_done:-} ]] || problems+=("h2load printed no summary (rc $h2_rc, see $OUT/h2load.txt)")
(( ${h2_failed:-1} + ${h2_errored:-1} + ${h2_timeout:-1} == 0 )) || problems+=("h2load: $h2_failed failed, $h2_errored errored, $h2_timeout timed out")
(( ${h2_3xx:-1} + ${h2_4xx:-1} + ${h2_5xx:-1} == 0 )) || problems+=("h2load: non-2xx responses: 3xx $h2_3xx, 4xx $h2_4xx, 5xx $h2_5xx")
grep -q '^Application protocol: h2' "$OUT/h2load.txt" || problems+=("h2load did not speak HTTP/2")

ws_summary=$(tail -1 "$OUT/ws.json" 2>/dev/null || true)
ws_failures=$(node -e 'try { console.log(JSON.parse(process.argv[1]).failures) } catch { console.log("") }' "$ws_summary")
[[ -n $ws_failures ]] || problems+=("WebSocket client printed no summary (rc $ws_rc, see $OUT/ws.err)")
(( ${ws_failures:-1} == 0 )) || problems+=("WebSockets: $ws_failures failures: $ws_summary")

# RSS: mean of the first 30 s after warm-up against the mean of the last 30 s (single samples
# jump with each GC), plus the peak.
read -r rss_first rss_base rss_end rss_peak samples < <(awk -F, -v w="$WARMUP" -v last="$SECONDS_TOTAL" '
    NR == 1 { next }
    NR == 2 { first = $2 }
    { n++; if ($2 > peak) peak = $2 }
    $1 >= w && $1 < w + 30 { bs += $2; bn++ }
    $1 >= last - 30 { es += $2; en++ }
    END { printf "%d %d %d %d %d\n", first, bn ? bs / bn : 0, en ? es / en : 0, peak, n }' "$RSS_CSV")
growth_kib=$(( rss_end - rss_base ))
(( rss_base > 0 && rss_end > 0 )) || problems+=("too few RSS samples ($samples) in $RSS_CSV")
(( growth_kib < BOUND_MIB * 1024 )) || problems+=("RSS grew $(( growth_kib / 1024 )) MiB after warm-up (bound $BOUND_MIB MiB)")

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
log "wrk (HTTP/1.1): ${wrk_requests:-?} requests, ${wrk_non2xx:-?} non-2xx, ${wrk_socket:-0} socket errors; $(grep -m1 'Requests/sec' "$OUT/wrk.txt" | tr -s ' ')"
log "h2load (HTTP/2): ${h2_done:-?} done, ${h2_ok:-?} succeeded, 2xx ${h2_2xx:-?}, failed ${h2_failed:-?}, errored ${h2_errored:-?}, timeout ${h2_timeout:-?}"
log "WebSockets: $ws_summary"
log "RSS: first $(mib "$rss_first") MiB, after warm-up $(mib "$rss_base") MiB, end $(mib "$rss_end") MiB, peak $(mib "$rss_peak") MiB, growth $(mib "$growth_kib") MiB (bound $BOUND_MIB MiB); $samples samples in $RSS_CSV"

if ((${#problems[@]})); then
    for p in "${problems[@]}"; do log "FAIL: $p"; done
    echo "SOAK FAIL: ${#problems[@]} problem(s) in ${SECONDS_TOTAL}s; details in $OUT"
    exit 1
fi
echo "SOAK PASS: ${SECONDS_TOTAL}s, $(( ${wrk_requests:-0} + ${h2_done:-0} )) HTTP requests and $(node -e 'console.log(JSON.parse(process.argv[1]).echoed)' "$ws_summary") WebSocket echoes without an error; RSS $(mib "$rss_base") -> $(mib "$rss_end") MiB after warm-up (+$(mib "$growth_kib"), bound $BOUND_MIB MiB)"
