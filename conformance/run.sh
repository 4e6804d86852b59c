#!/usr/bin/env bash
# Conformance suite (issue 3): the authentik emulator behind Portcullis, the guide's nginx,
# Caddy and HAProxy, one after another, each probed by `portcullis check`. Every observed
# status is compared with conformance/expected.tsv; any difference fails the suite, so a
# checker that stops noticing a peer's known failure is caught. Writes docs/conformance.md.
#
#   conformance/run.sh              # needs root (or nginx, caddy, haproxy already installed)
#
# Environment: CONFORMANCE_DOC=path writes the table elsewhere ("" skips it);
# CONFORMANCE_LONG=1 runs the checker with --long (about 70 s more per proxy);
# CONFORMANCE_PORTCULLIS=path uses an already published portcullis instead of publishing src/Portcullis;
# CONFORMANCE_KEEP=1 keeps the work directory (configs, logs, JSON reports) for inspection.
# Everything listens on 127.0.0.1, on free ports picked at start; every process started here
# is stopped on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
expected_file="$here/expected.tsv"
doc="${CONFORMANCE_DOC-$repo/docs/conformance.md}"
host=localhost            # resolves to 127.0.0.1 everywhere; what check sends as SNI and Host
proxies=(portcullis nginx caddy haproxy)
long="${CONFORMANCE_LONG:-0}"   # 1: check --long (an idle WebSocket held 65 s per proxy)
long_flag=()
[[ "$long" == 1 ]] && long_flag=(--long)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# PORTCULLIS_* variables override `portcullis run`'s config file: none from the caller's environment.
for variable in "${!PORTCULLIS_@}"; do unset "$variable"; done

# The work directory must be traversable by nginx's unprivileged worker (nobody when run as root).
work=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-conformance.XXXXXX")
chmod 755 "$work"
pids=()

log() { printf 'conformance: %s\n' "$*" >&2; }

stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    log "pid $pid did not stop within 10 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$? pid
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    if [[ "${CONFORMANCE_KEEP:-}" == 1 ]]; then
        log "work directory kept: $work"
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# :: Step 1: the peers, from Debian's packages (and the tools this script uses).
export PATH="$PATH:/usr/sbin:/sbin"
missing=()
for pair in nginx:nginx caddy:caddy haproxy:haproxy jq:jq openssl:openssl ss:iproute2 clang:clang; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
# Native AOT publish (src/Portcullis sets PublishAot) links against zlib.
dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# :: Step 2: Portcullis, published once (or one already published, via CONFORMANCE_PORTCULLIS).
if [[ -n "${CONFORMANCE_PORTCULLIS:-}" ]]; then
    portcullis=$CONFORMANCE_PORTCULLIS
    [[ -x "$portcullis" ]] || { log "CONFORMANCE_PORTCULLIS=$portcullis is not executable"; exit 2; }
else
    log "publishing Portcullis"
    # --artifacts-path: build outside src/*/bin and obj, so a concurrent build in the tree is not disturbed.
    dotnet publish "$repo/src/Portcullis" -c Release -o "$work/portcullis" --artifacts-path "$work/artifacts" -nologo -v quiet >"$work/publish.log" 2>&1 \
        || { cat "$work/publish.log" >&2; exit 2; }
    portcullis="$work/portcullis/portcullis"
fi

# :: Step 3: a test CA and a certificate for $host, so tls-certificate can pass with --ca-file.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=Portcullis conformance test CA" -keyout "$work/ca.key" -out "$work/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$host" \
    -keyout "$work/key.pem" -out "$work/cert.csr" 2>/dev/null
printf '%s\n' "subjectAltName=DNS:$host,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$work/cert.ext"
openssl x509 -req -in "$work/cert.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
    -days 30 -extfile "$work/cert.ext" -out "$work/leaf.pem" 2>/dev/null
cat "$work/leaf.pem" "$work/ca.pem" >"$work/fullchain.pem"
cat "$work/fullchain.pem" "$work/key.pem" >"$work/haproxy.pem"
chmod 644 "$work"/*.pem

# Free loopback ports: below Linux's ephemeral range (32768+), so no outgoing connection takes one meanwhile.
declare -A taken=()
free_port() {
    local port tries
    for tries in $(seq 1 200); do
        port=$((20000 + RANDOM % 12000))
        [[ -n "${taken[$port]:-}" ]] && continue
        if [[ -z "$(ss -Htaun "sport = :$port" 2>/dev/null)" ]]; then
            taken[$port]=1
            echo "$port"
            return 0
        fi
    done
    log "no free port found"
    return 1
}

# Waits until something accepts on 127.0.0.1:$2 while process $1 lives.
wait_listening() {
    local pid=$1 port=$2 i
    for i in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# :: Step 4: the emulator, authentik's defaults (leftmost client-IP rule, default trusted CIDRs).
emu_http=$(free_port)
emu_https=$(free_port)
"$portcullis" emulate --http "127.0.0.1:$emu_http" --https "127.0.0.1:$emu_https" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
pids+=("$emulator_pid")
if ! wait_listening "$emulator_pid" "$emu_https"; then
    log "the emulator did not start"; cat "$work/emulator.log" >&2; exit 2
fi

render() { # template → file, placeholders filled
    sed -e "s|@HTTP_PORT@|$http_port|g" -e "s|@HTTPS_PORT@|$https_port|g" -e "s|@HOST@|$host|g" \
        -e "s|@CERT@|$work/fullchain.pem|g" -e "s|@KEY@|$work/key.pem|g" -e "s|@CERT_KEY_PEM@|$work/haproxy.pem|g" \
        -e "s|@UPSTREAM@|127.0.0.1:$emu_https|g" -e "s|@OUTPOST@|127.0.0.1:${outpost_port:-}|g" -e "s|@WORK@|$work|g" "$1" >"$2"
}

start_proxy() { # name → starts it in the background, sets proxy_pid
    local name=$1
    case "$name" in
        portcullis)
            render "$here/peers/portcullis.yaml" "$work/portcullis.yaml"
            "$portcullis" run --config "$work/portcullis.yaml" >"$work/$name.log" 2>&1 &
            ;;
        nginx)
            mkdir -p "$work/nginx"
            render "$here/peers/nginx-main.conf" "$work/nginx/nginx.conf"
            render "$here/peers/nginx-guide.conf" "$work/nginx/nginx-guide.conf"
            nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" >"$work/$name.log" 2>&1 &
            ;;
        caddy)
            mkdir -p "$work/caddy/data" "$work/caddy/config"
            render "$here/peers/caddy.Caddyfile" "$work/caddy/Caddyfile"
            XDG_DATA_HOME="$work/caddy/data" XDG_CONFIG_HOME="$work/caddy/config" \
                caddy run --config "$work/caddy/Caddyfile" --adapter caddyfile >"$work/$name.log" 2>&1 &
            ;;
        haproxy)
            render "$here/peers/haproxy.cfg" "$work/haproxy.cfg"
            haproxy -db -f "$work/haproxy.cfg" >"$work/$name.log" 2>&1 &
            ;;
    esac
    proxy_pid=$!
}

# :: Step 5: each proxy in turn, probed by the checker.
declare -A http_ports=() https_ports=()
for name in "${proxies[@]}"; do
    http_port=$(free_port)
    https_port=$(free_port)
    http_ports[$name]=$http_port
    https_ports[$name]=$https_port
    start_proxy "$name"
    pids+=("$proxy_pid")
    if ! wait_listening "$proxy_pid" "$https_port" || ! wait_listening "$proxy_pid" "$http_port"; then
        log "$name did not start"; cat "$work/$name.log" >&2; exit 2
    fi
    log "$name on https://$host:$https_port/ (http $http_port): checking"
    set +e
    timeout 240 "$portcullis" check "https://$host:$https_port/" --http-url "http://$host:$http_port/" \
        --ca-file "$work/ca.pem" --json "${long_flag[@]}" >"$work/$name.json" 2>"$work/$name.check.err"
    status=$?
    set -e
    if [[ $status -gt 1 ]] || ! jq -e '.results | length > 0' "$work/$name.json" >/dev/null 2>&1; then
        log "check against $name exited $status without a report"; cat "$work/$name.check.err" >&2; exit 2
    fi
    if [[ $status -ne $(jq -r 'if .has_failure then 1 else 0 end' "$work/$name.json") ]]; then
        log "check against $name exited $status but has_failure is $(jq .has_failure "$work/$name.json")"
        exit 2
    fi
    stop_pid "$proxy_pid"
    unset 'pids[-1]'
done

# :: Step 5b: forward auth. nginx and Caddy with authentik's documented forward-auth configurations
# (conformance/peers/*-forward-auth.*) in front of an emulator of their own that is both the proxy
# outpost and the protected app, its external host being that proxy's URL; probed by
# `portcullis check --forward-auth`; Portcullis with its one forward_auth key
# (conformance/peers/portcullis-forward-auth.yaml).
forward_auth_proxies=(portcullis nginx caddy)
declare -A outpost_ports=()
start_forward_auth_proxy() { # name → starts it in the background, sets proxy_pid
    local name=$1
    case "$name" in
        portcullis)
            render "$here/peers/portcullis-forward-auth.yaml" "$work/portcullis-forward-auth.yaml"
            "$portcullis" run --config "$work/portcullis-forward-auth.yaml" >"$work/$name.forward-auth.log" 2>&1 &
            ;;
        nginx)
            mkdir -p "$work/nginx"
            render "$here/peers/nginx-forward-auth.conf" "$work/nginx/nginx-forward-auth.conf"
            render "$here/peers/nginx-main.conf" "$work/nginx/nginx-forward-auth-main.conf"
            sed -i 's|nginx-guide\.conf|nginx-forward-auth.conf|' "$work/nginx/nginx-forward-auth-main.conf"
            nginx -p "$work/nginx" -c "$work/nginx/nginx-forward-auth-main.conf" -e "$work/nginx/error.log" >"$work/$name.forward-auth.log" 2>&1 &
            ;;
        caddy)
            mkdir -p "$work/caddy/data" "$work/caddy/config"
            render "$here/peers/caddy-forward-auth.Caddyfile" "$work/caddy/Caddyfile.forward-auth"
            XDG_DATA_HOME="$work/caddy/data" XDG_CONFIG_HOME="$work/caddy/config" \
                caddy run --config "$work/caddy/Caddyfile.forward-auth" --adapter caddyfile >"$work/$name.forward-auth.log" 2>&1 &
            ;;
    esac
    proxy_pid=$!
}
for name in "${forward_auth_proxies[@]}"; do
    http_port=$(free_port)
    https_port=$(free_port)
    outpost_port=$(free_port)
    outpost_tls_port=$(free_port)
    "$portcullis" emulate --http "127.0.0.1:$outpost_port" --https "127.0.0.1:$outpost_tls_port" \
        --outpost-external-host "https://$host:$https_port" >"$work/$name.outpost.log" 2>&1 &
    outpost_pid=$!
    pids+=("$outpost_pid")
    if ! wait_listening "$outpost_pid" "$outpost_port"; then
        log "the outpost emulator for $name did not start"; cat "$work/$name.outpost.log" >&2; exit 2
    fi
    start_forward_auth_proxy "$name"
    pids+=("$proxy_pid")
    if ! wait_listening "$proxy_pid" "$https_port"; then
        log "$name (forward auth) did not start"; cat "$work/$name.forward-auth.log" >&2; exit 2
    fi
    log "$name forward auth on https://$host:$https_port/ (outpost and app on $outpost_port): checking"
    set +e
    timeout 240 "$portcullis" check "https://$host:$https_port/" --forward-auth \
        --ca-file "$work/ca.pem" --json >"$work/$name.forward-auth.json" 2>"$work/$name.forward-auth.check.err"
    status=$?
    set -e
    if [[ $status -gt 1 ]] || ! jq -e '.results | length > 0' "$work/$name.forward-auth.json" >/dev/null 2>&1; then
        log "check --forward-auth against $name exited $status without a report"; cat "$work/$name.forward-auth.check.err" >&2; exit 2
    fi
    https_ports[$name.forward-auth]=$https_port
    outpost_ports[$name]=$outpost_port
    stop_pid "$proxy_pid"
    unset 'pids[-1]'
    stop_pid "$outpost_pid"
    unset 'pids[-1]'
done
unset outpost_port

# :: Step 6: observed against expected (the format is described at the top of expected.tsv).
declare -A expected=() observed=() requirement=() detail=()
checks=()
forward_auth_checks=()
while read -r id rest; do
    [[ -z "$id" || "$id" == \#* || "$id" == detail ]] && continue
    if [[ "$id" == long ]]; then
        [[ "$long" == 1 ]] || continue
        read -r id rest <<<"$rest"
    fi
    if [[ "$id" == forward-auth ]]; then
        read -r id rest <<<"$rest"
        read -r -a cols <<<"${rest%%#*}"
        if ((${#cols[@]} != ${#proxies[@]})); then log "expected.tsv: 'forward-auth $id' needs ${#proxies[@]} columns"; exit 2; fi
        forward_auth_checks+=("$id")
        for i in "${!proxies[@]}"; do expected[${proxies[$i]}/$id]=${cols[$i]}; done
        continue
    fi
    read -r -a cols <<<"${rest%%#*}"
    if ((${#cols[@]} != ${#proxies[@]})); then log "expected.tsv: '$id' needs ${#proxies[@]} columns"; exit 2; fi
    [[ -n "${expected[${proxies[0]}/$id]:-}" ]] || checks+=("$id")
    for i in "${!proxies[@]}"; do expected[${proxies[$i]}/$id]=${cols[$i]}; done
done <"$expected_file"

for name in "${proxies[@]}"; do
    while IFS=$'\t' read -r id status req det; do
        observed[$name/$id]=$status
        requirement[$id]=$req
        detail[$name/$id]=$det
    done < <(jq -r '.results[] | [.id, .status, .requirement, (.detail // "" | gsub("[\t\n]"; " "))] | @tsv' "$work/$name.json")
    [[ -f "$work/$name.forward-auth.json" ]] || continue
    while IFS=$'\t' read -r id status req det; do
        observed[$name/$id]=$status
        requirement[$id]=$req
        detail[$name/$id]=$det
    done < <(jq -r '.results[] | [.id, .status, .requirement, (.detail // "" | gsub("[\t\n]"; " "))] | @tsv' "$work/$name.forward-auth.json")
done
# HAProxy's documented forward auth needs the haproxy-auth-request Lua script, not packaged: not run.
for id in "${forward_auth_checks[@]}"; do observed[haproxy/$id]=not-run; done

mismatches=()
for name in "${proxies[@]}"; do
    for id in "${checks[@]}" "${forward_auth_checks[@]}"; do
        want=${expected[$name/$id]}
        got=${observed[$name/$id]:-missing}
        if [[ "$want" != - && "$want" != "$got" ]]; then
            mismatches+=("$name $id: expected $want, observed $got (${detail[$name/$id]:-no result})")
        fi
    done
    for key in "${!observed[@]}"; do
        [[ "$key" == "$name/"* ]] || continue
        id=${key#*/}
        [[ -n "${expected[$name/$id]:-}" ]] || mismatches+=("$name $id: observed ${observed[$key]} but expected.tsv has no row for it (${detail[$key]})")
    done
done
while read -r keyword name id text; do
    [[ "$keyword" == detail ]] || continue
    text=${text//@HTTP_PORT@/${http_ports[$name]:-}}
    text=${text//@HTTPS_PORT@/${https_ports[$name]:-}}
    text=${text//@FORWARD_AUTH_HTTPS_PORT@/${https_ports[$name.forward-auth]:-}}
    got=${detail[$name/$id]:-}
    [[ "$got" == *"$text"* ]] || mismatches+=("$name $id: detail should contain '$text', was: ${got:-no result}")
done <"$expected_file"

# :: Step 7: the table.
if [[ -n "$doc" ]]; then
    mkdir -p "$(dirname "$doc")"
    nginx_version=$(nginx -v 2>&1 | sed 's|.*nginx/||')
    caddy_version=$(caddy version | awk '{print $1}')
    haproxy_version=$(haproxy -v | awk 'NR==1 {print $3}')
    dotnet_version=$(dotnet --version)
    commit=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)
    {
        echo "# Conformance: Portcullis and its peers in front of authentik"
        echo
        echo "Generated by \`conformance/run.sh\` on $(date -u +%F) at commit $commit."
        echo "Each proxy stands, on its own loopback ports, in front of the authentik emulator"
        echo "(\`portcullis emulate\`, authentik's defaults: leftmost client-IP rule, default trusted proxy CIDRs),"
        echo "and \`portcullis check https://localhost:PORT/ --http-url http://localhost:PORT/ --ca-file ca.pem --json\`"
        echo "probes it. The certificate is issued for \`localhost\` by a CA created for the run."
        echo "Every cell is asserted by \`conformance/expected.tsv\`: a checker that stops noticing a peer's"
        echo "failure fails the suite."
        echo
        echo "| check | requirement | Portcullis | nginx (guide) | Caddy | HAProxy |"
        echo "| --- | --- | --- | --- | --- | --- |"
        for id in "${checks[@]}"; do
            row="| \`$id\` | ${requirement[$id]:-} |"
            for name in "${proxies[@]}"; do
                s=${observed[$name/$id]:-missing}
                row+=" ${s^^} |"
            done
            echo "$row"
        done
        echo
        echo "Versions: Portcullis at $commit on .NET SDK $dotnet_version; nginx $nginx_version, Caddy $caddy_version,"
        echo "HAProxy $haproxy_version (Debian's packages); $(openssl version | awk '{print $1, $2}')."
        echo
        echo "## Why the peers fail or warn"
        echo
        echo "The checker's own words, per peer (PASS and SKIP left out):"
        for name in nginx caddy haproxy; do
            echo
            echo "**$name**"
            echo
            for id in "${checks[@]}"; do
                s=${observed[$name/$id]:-missing}
                [[ "$s" == pass || "$s" == skip ]] && continue
                # This run's random ports by name, so the file changes only when a result does.
                text=${detail[$name/$id]:-}
                text=${text//${https_ports[$name]}/HTTPS_PORT}
                text=${text//${http_ports[$name]}/HTTP_PORT}
                echo "- \`$id\` ${s^^}: $text"
            done
        done
        echo
        echo "Notes on the setup, so the table is read right:"
        echo
        echo "- Portcullis passes every check on its defaults; the peers run the configurations below."
        echo "- The proxies listen on high ports, not 80/443. The guide's \`return 301 https://\$host\$request_uri\`"
        echo "  drops the port (\`\$host\` has none) and HAProxy's \`redirect scheme https\` keeps the Host header's"
        echo "  *HTTP* port; on 80/443 both redirects would be right. Caddy gets it right because its site"
        echo "  address names the HTTPS port (with the global \`https_port\` option instead, Caddy 2.6 drops it)."
        echo "- The nginx main context (\`conformance/peers/nginx-main.conf\`) sets nothing that changes"
        echo "  behaviour. Debian's packaged \`/etc/nginx/nginx.conf\` adds \`ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3\`,"
        echo "  with which nginx 1.22 offers TLS 1.3 too (still WARN: 1.2 offered)."
        if [[ "$long" == 1 ]]; then
            echo "- This run used \`--long\`: \`websocket-idle\` held a WebSocket 65 s. Only Portcullis's result is"
            echo "  asserted: the emulator's HELLO every 10 s keeps any peer's read timeout from firing."
        else
            echo "- \`websocket-idle\` needs \`--long\` (65 s per proxy; \`CONFORMANCE_LONG=1\`), so it is SKIP here."
        fi
        echo
        echo "## Forward auth (authentik's proxy outpost)"
        echo
        echo "Portcullis with one \`forward_auth\` key (conformance/peers/portcullis-forward-auth.yaml), nginx and"
        echo "Caddy with authentik's documented forward-auth configurations, each in front of an"
        echo "emulator of its own that is both the proxy outpost (\`/outpost.goauthentik.io/*\`, behaving as"
        echo "authentik's Go outpost) and the protected application, its external host being the proxy's URL;"
        echo "\`portcullis check https://localhost:PORT/ --forward-auth --ca-file ca.pem --json\` probes it."
        echo
        echo "| check | requirement | Portcullis | nginx (authentik's docs) | Caddy (authentik's docs) |"
        echo "| --- | --- | --- | --- | --- |"
        for id in "${forward_auth_checks[@]}"; do
            row="| \`$id\` | ${requirement[$id]:-} |"
            for name in "${forward_auth_proxies[@]}"; do
                s=${observed[$name/$id]:-missing}
                row+=" ${s^^} |"
            done
            echo "$row"
        done
        echo
        echo "Why they fail, in the checker's words:"
        for name in "${forward_auth_proxies[@]}"; do
            echo
            echo "**$name**"
            echo
            for id in "${forward_auth_checks[@]}"; do
                s=${observed[$name/$id]:-missing}
                [[ "$s" == pass || "$s" == skip ]] && continue
                text=${detail[$name/$id]:-}
                # This run's ports and user name by name, so the file changes only when a result does.
                text=${text//${https_ports[$name.forward-auth]}/HTTPS_PORT}
                text=${text//${outpost_ports[$name]}/OUTPOST_PORT}
                text=$(sed -E 's/portcullis-check-[0-9a-f]{8}/portcullis-check-NONCE/g' <<<"$text")
                echo "- \`$id\` ${s^^}: $text"
            done
        done
        echo
        echo "Notes:"
        echo
        echo "- The outpost is emulated from authentik's Go outpost (goauthentik/authentik \`internal/outpost/proxyv2/\`);"
        echo "  authentik 2026.8 rewrote it in Rust, which may read X-Original-URI differently."
        echo "- The checker connects from 127.0.0.1, inside Caddy's \`trusted_proxies private_ranges\`: a client on the"
        echo "  internet is not in a private range, one on the same LAN (or behind a local load balancer) is."
        echo "- Caddy $caddy_version fills a \`copy_headers\` header the outpost did not send with the unexpanded"
        echo "  placeholder text (\`{http.reverse_proxy.header.X-Authentik-…}\`), visible in the public-path detail."
        echo
        echo "## Configurations"
        echo
        echo "Templates in \`conformance/peers/\`, filled with ports, certificate paths and the emulator's address:"
        echo
        echo "- Portcullis: [\`portcullis.yaml\`](../conformance/peers/portcullis.yaml)"
        echo "- nginx: the guide's configuration, [\`nginx-guide.conf\`](../conformance/peers/nginx-guide.conf), verbatim"
        echo "  but for ports, addresses, server name and certificate paths, inside a minimal"
        echo "  [\`nginx-main.conf\`](../conformance/peers/nginx-main.conf)"
        echo "- Caddy: [\`caddy.Caddyfile\`](../conformance/peers/caddy.Caddyfile)"
        echo "- HAProxy: [\`haproxy.cfg\`](../conformance/peers/haproxy.cfg)"
        echo "- Forward auth: nginx [\`nginx-forward-auth.conf\`](../conformance/peers/nginx-forward-auth.conf) and Caddy"
        echo "  [\`caddy-forward-auth.Caddyfile\`](../conformance/peers/caddy-forward-auth.Caddyfile), authentik's documented"
        echo "  configurations verbatim but for addresses, ports and certificates (each change marked \`conformance:\`)"
        echo
        echo "## Rerun"
        echo
        echo '```sh'
        echo 'conformance/run.sh                       # as root, or with nginx, caddy and haproxy installed'
        echo 'CONFORMANCE_KEEP=1 conformance/run.sh    # keep configs, logs and JSON reports'
        echo '```'
    } >"$doc.tmp"
    mv "$doc.tmp" "$doc"
fi

# :: Step 8: the verdict.
printf '%-36s' "check"; printf ' %-10s' "${proxies[@]}"; echo
for id in "${checks[@]}" "${forward_auth_checks[@]}"; do
    printf '%-36s' "$id"
    for name in "${proxies[@]}"; do
        s=${observed[$name/$id]:-missing}
        [[ "${expected[$name/$id]}" != - && "${expected[$name/$id]}" != "$s" ]] && s="$s!"
        printf ' %-10s' "$s"
    done
    echo
done
if ((${#mismatches[@]})); then
    echo
    echo "MISMATCHES (expected per conformance/expected.tsv, observed by portcullis check):"
    printf '  %s\n' "${mismatches[@]}"
fi
echo "conformance: ${#proxies[@]} proxies, ${#checks[@]} checks; forward auth: ${#forward_auth_proxies[@]} proxies, ${#forward_auth_checks[@]} checks; ${#mismatches[@]} mismatches"
((${#mismatches[@]} == 0))
