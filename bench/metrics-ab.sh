#!/usr/bin/env bash
# The admin listener's cost per request: one published Portcullis run twice side by side, without
# and with admin.listen (metrics off / on), loaded in turn with h2load over HTTP/1.1 and HTTP/2.
# CPU per request is the processes' utime+stime from /proc/PID/stat, as bench/run.sh measures it.
# Bounded: ROUNDS x 2 variants x 2 protocols x N requests; every port is a free one on 127.0.0.1.
#
#   BENCH_PORTCULLIS=/tmp/portcullis-publish bench/metrics-ab.sh      (needs nginx, h2load, openssl, curl)
set -euo pipefail
BIN=${BENCH_PORTCULLIS:?set BENCH_PORTCULLIS to the folder holding a published portcullis}
ROUNDS=${ROUNDS:-3}
N=${N:-20000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/portcullis-metrics-ab.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=sso.domain.tld \
    -addext subjectAltName=DNS:sso.domain.tld -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

UPSTREAM=$(free_port)
mkdir -p "$WORK/upstream/tmp"
sed -e "s|@WORK@|$WORK|g" -e "s|@CERT@|$WORK/cert.pem|g" -e "s|@KEY@|$WORK/key.pem|g" -e "s|127.0.0.1:9443|127.0.0.1:$UPSTREAM|" \
    "$ROOT/bench/conf/upstream-nginx.conf" >"$WORK/upstream/nginx.conf"
nginx -c "$WORK/upstream/nginx.conf" & PIDS+=($!)

declare -A PORT PID
for variant in off on; do
    PORT[$variant]=$(free_port)
    admin=""
    [[ $variant == on ]] && admin="admin: { listen: \"127.0.0.1:$(free_port)\" }"
    cat >"$WORK/$variant.yaml" <<YAML
listen: { http: [], https: ["127.0.0.1:${PORT[$variant]}"] }
data_dir: $WORK/data-$variant
log: { access: "off" }
$admin
sites:
  - hosts: ["127.0.0.1"]  # h2load sends the address it connects to as Host, and no SNI
    tls: { certificate: $WORK/cert.pem, key: $WORK/key.pem }
    routes:
      - { path: /, upstream: "https://127.0.0.1:$UPSTREAM", upstream_tls: { verify: false } }
YAML
    DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$BIN/portcullis" run --config "$WORK/$variant.yaml" >"$WORK/$variant.log" 2>&1 & PID[$variant]=$!
    PIDS+=(${PID[$variant]})
done

for variant in off on; do
    for _ in $(seq 100); do
        curl -ksf -o /dev/null "https://127.0.0.1:${PORT[$variant]}/" && break
        sleep 0.1
    done
done

load() { # variant, protocol, requests -> "requests/s cpu_us_per_request"
    local port=${PORT[$1]} out before after ok
    local args=(-n "$3" -c 32)
    [[ $2 == h1 ]] && args=(--h1 -n "$3" -c 32)
    before=$(cpu_ticks "${PID[$1]}")
    out=$(timeout 120 h2load "${args[@]}" "https://127.0.0.1:$port/")
    [[ -n ${AB_DEBUG:-} ]] && echo "$out" >&2
    after=$(cpu_ticks "${PID[$1]}")
    ok=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' <<<"$out")
    awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v ok="$ok" \
        -v rps="$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")" \
        'BEGIN { printf "%.0f %.1f\n", rps, (ok > 0 ? t / hz * 1e6 / ok : -1) }'
}

for variant in off on; do load "$variant" h1 5000 >/dev/null; load "$variant" h2 5000 >/dev/null; done # warm-up
printf 'round\tvariant\tprotocol\trequests_per_s\tcpu_us_per_request\n'
for round in $(seq "$ROUNDS"); do
    for protocol in h1 h2; do
        for variant in off on; do
            printf '%s\t%s\t%s\t%s\n' "$round" "$variant" "$protocol" "$(load "$variant" "$protocol" "$N" | tr ' ' '\t')"
        done
    done
done
echo "# other work on the machine (load average): $(cut -d' ' -f1-3 /proc/loadavg)"
