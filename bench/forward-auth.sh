# The forward-auth scenario of bench/run.sh (BENCH_SCENARIOS=forward-auth): what asking
# authentik's outpost before every request costs Portcullis (forward_auth) and nginx (authentik's
# documented auth_request block), against the same app without it, with the same outpost.
# Sourced by run.sh after the upstream is up; uses its helpers (render, cpu_ticks, median, ...).
#
# Both proxies run at once, each serving the app behind forward auth on / and without it on
# /open, so every round measures the four cases back to back under the same machine load:
# `wrk -t1 -c32 -d10s --latency` with the outpost's session cookie, the proxy's own CPU
# (utime+stime of all its processes) divided by the requests wrk completed. The added cost of
# forward auth is taken within a round (protected minus open), then the median over the rounds.

FA_ROUNDS=${BENCH_FA_ROUNDS:-3}
FA_SECONDS=${BENCH_FA_SECONDS:-10}
FA_COOKIE="authentik_proxy_bench=signed-in"
FA_OUTPOST=http://127.0.0.1:9445
FA_RESULTS=$WORK/forward-auth.tsv

fa_result() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$FA_RESULTS"; }

# Checks the outpost has answered so far (stub_status counts its own request too).
fa_outpost_requests() {
    curl -s --max-time 2 "$FA_OUTPOST/outpost.goauthentik.io/status" | awk '/^ *[0-9]+ +[0-9]+ +[0-9]+/ { print $3; exit }'
}

# What a user would see: signed out, a browser is sent to the outpost's start URL and an API
# call is refused (Portcullis: 401; nginx's documented block redirects every request); signed in,
# the app's answer. Any other outcome stops the scenario: the figures
# would not be those of forward auth.
fa_check_behaviour() { # name, port
    local name=$1 base="https://$HOST:$2" browser api signed open
    browser=$(curl -sk -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 5 -H 'Accept: text/html' "$base/app/")
    api=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$base/app/")
    signed=$(curl -sk --max-time 5 -H "Cookie: $FA_COOKIE" "$base/app/" | tr -d '\n')
    open=$(curl -sk --max-time 5 "$base/open/" | tr -d '\n')
    log "$name: signed out, browser: $browser; API: $api; signed in: $signed; open: $open"
    [[ $browser == "302 $base/outpost.goauthentik.io/start?rd="* ]] || die "$name: a signed-out browser got '$browser', not the outpost's start URL"
    [[ $api == 401 || $api == 302 ]] || die "$name: a signed-out API call got $api, not 401 or 302"
    [[ $signed == *" ok" ]] || die "$name: signed in, the app's answer was '$signed'"
    [[ $open == *" ok" ]] || die "$name: /open answered '$open'"
    fa_result "$name" signed_out_browser "${browser%% *}"
    fa_result "$name" signed_out_api "$api"
}

fa_load() { # name, pids, mode (open | auth), url, round
    local name=$1 pids=$2 mode=$3 url=$4 round=$5 c0 c1 o0 o1 out requests non2xx
    o0=$(fa_outpost_requests)
    c0=$(cpu_ticks $pids)
    out=$(timeout $((FA_SECONDS + 20)) wrk -t1 -c32 -d"${FA_SECONDS}s" --latency -H "Cookie: $FA_COOKIE" "$url" 2>&1 || true)
    c1=$(cpu_ticks $pids)
    o1=$(fa_outpost_requests)
    echo "$out" >"$WORK/$name/wrk-$mode-$round.txt"
    requests=$(awk '/requests in/ { print $1; exit }' <<<"$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF } /Socket errors:/ { n = 1 } END { if (n) print "socket-errors" }' <<<"$out")
    [[ -n $requests && $requests -gt 0 ]] || die "$name $mode: wrk completed no request: $out"
    [[ -z $non2xx ]] || die "$name $mode: wrk saw failures ($non2xx): $out"
    fa_result "$name" "${mode}_rps_r$round" "$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    fa_result "$name" "${mode}_p50_ms_r$round" "$(awk '$1 == "50%" { print $2 }' <<<"$out" | to_ms)"
    fa_result "$name" "${mode}_p99_ms_r$round" "$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)"
    fa_result "$name" "${mode}_cpu_us_r$round" "$(per $(( (c1 - c0) * TICK_US )) "$requests")"
    # wrk's requests in flight at the end are not counted, the checks they caused are: a few
    # dozen over ~100,000 requests.
    fa_result "$name" "${mode}_checks_per_request_r$round" "$(awk -v a="$((o1 - o0 - 1))" -v b="$requests" 'BEGIN { printf "%.3f", a / b }')"
}

forward_auth_scenario() {
    log "== forward auth: Portcullis and nginx, the same outpost, $FA_ROUNDS rounds of ${FA_SECONDS}s per case"
    : >"$FA_RESULTS"
    mkdir -p "$WORK/outpost/tmp"
    render outpost-nginx.conf outpost 9445 0 >"$WORK/outpost/nginx.conf"
    nginx -c "$WORK/outpost/nginx.conf" -p "$WORK/outpost" -e "$WORK/outpost/error.log" &
    STARTED+=($!)
    local until=$(( $(date +%s) + 10 ))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -H "Cookie: $FA_COOKIE" "$FA_OUTPOST/outpost.goauthentik.io/auth/nginx") == 200 ]]; do
        (( $(date +%s) < until )) || die "the outpost stand-in did not start (port 9445 taken?)"
        sleep 0.05
    done

    local -A port=([portcullis]=18443 [nginx]=18444) pid=()
    local name
    for name in portcullis nginx; do
        mkdir -p "$WORK/$name/tmp" "$WORK/$name/data"
        case $name in
            portcullis)
                render portcullis-forward-auth.yaml "$name" "${port[$name]}" "$((port[$name] - 363))" >"$WORK/$name/portcullis.yaml"
                "$WORK/portcullis-bin/portcullis" validate --config "$WORK/$name/portcullis.yaml" >"$WORK/$name/validate.log" 2>&1 \
                    || { cat "$WORK/$name/validate.log" >&2; die "this Portcullis refuses the forward-auth config (no forward_auth?)"; }
                "$WORK/portcullis-bin/portcullis" run --config "$WORK/$name/portcullis.yaml" >"$WORK/$name/stdout.log" 2>"$WORK/$name/stderr.log" & ;;
            nginx)
                render nginx-forward-auth.conf "$name" "${port[$name]}" 0 >"$WORK/$name/nginx.conf"
                nginx -c "$WORK/$name/nginx.conf" -p "$WORK/$name" -e "$WORK/$name/error.log" & ;;
        esac
        pid[$name]=$!
        STARTED+=("${pid[$name]}")
        wait_for_200 "https://$HOST:${port[$name]}/open/" 15 || { tail -20 "$WORK/$name/stderr.log" "$WORK/$name/error.log" 2>/dev/null >&2; die "$name did not start"; }
        fa_check_behaviour "$name" "${port[$name]}"
    done

    # Warm-up, the same for both and both paths: JIT tiers, both pools, nginx's caches.
    local mode pids round
    for name in portcullis nginx; do
        for mode in open app; do
            timeout 60 h2load --h1 -n 5000 -c 32 -H "Cookie: $FA_COOKIE" "https://$HOST:${port[$name]}/$mode/" >/dev/null 2>&1 || true
        done
    done

    for round in $(seq "$FA_ROUNDS"); do
        for name in portcullis nginx; do
            pids=$(tree_pids "${pid[$name]}" | tr '\n' ' ')
            fa_load "$name" "$pids" open "https://$HOST:${port[$name]}/open/" "$round"
            fa_load "$name" "$pids" auth "https://$HOST:${port[$name]}/app/" "$round"
        done
        log "forward auth: round $round of $FA_ROUNDS done"
    done

    # Medians, and the added cost taken within each round before its median.
    local figure values added
    for name in portcullis nginx; do
        for mode in open auth; do
            for figure in rps p50_ms p99_ms cpu_us checks_per_request; do
                values=$(awk -F'\t' -v n="$name" -v f="^${mode}_${figure}_r" '$1 == n && $2 ~ f { print $3 }' "$FA_RESULTS")
                fa_result "$name" "${mode}_${figure}" "$(median $values)"
            done
        done
        added=()
        for round in $(seq "$FA_ROUNDS"); do
            added+=("$(awk -F'\t' -v n="$name" -v r="$round" '$1 == n && $2 == "auth_cpu_us_r" r { a = $3 } $1 == n && $2 == "open_cpu_us_r" r { o = $3 } END { printf "%.1f", a - o }' "$FA_RESULTS")")
            fa_result "$name" "added_cpu_us_r$round" "${added[-1]}"
        done
        fa_result "$name" added_cpu_us "$(median "${added[@]}")"
        stop "${pid[$name]}"
    done
}
