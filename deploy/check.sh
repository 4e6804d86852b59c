#!/usr/bin/env bash
# Checks what deploy/ ships, offline (run by .ci/run; as root, on Debian 12):
#   1. the container image: the Native AOT build on a base made with mmdebstrap from Debian's
#      packages (nothing pulled from a registry), run with podman and runc; its HEALTHCHECK turns
#      healthy, an HTTPS request through it reaches the demo's emulator (200), and podman stop
#      (SIGTERM) ends it with exit code 0 within the drain;
#   2. the systemd unit: systemd-analyze verify and security --offline, any warning fails;
#   3. the Kubernetes manifests: kubectl kustomize builds them (their content is checked against
#      the configuration they carry by tests/Portcullis.Tests/Deploy, in dotnet test).
# Exit code 0 only when every check passed; each failure prints one FAIL line.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Our podman settings (runc, ulimits), not the machine's.
export CONTAINERS_CONF=$root/deploy/container/containers.conf

failures=0
pass() { echo "deploy: PASS $*"; }
fail() { echo "deploy: FAIL $*"; failures=$((failures + 1)); }

missing=()
for package in podman runc mmdebstrap uidmap slirp4netns clang zlib1g-dev systemd curl strace python3 procps; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
        || { echo "deploy: FAIL apt-get install ${missing[*]}"; exit 1; }
fi

# ---- The Native AOT build, into the repository's build output (artifacts/ is ignored by git).
publish=$root/artifacts/deploy/portcullis
if ! dotnet publish src/Portcullis -c Release -r linux-x64 -o "$publish" -v quiet -nologo >"$root/artifacts/deploy-publish.log" 2>&1; then
    cat "$root/artifacts/deploy-publish.log"
    echo "deploy: FAIL dotnet publish (Native AOT)"
    exit 1
fi
binary=$publish/portcullis

# ---- 1. The container image.
tag=check-$$
base=localhost/portcullis-base:$tag
image=localhost/portcullis:$tag
container=portcullis-check-$$
cleanup() {
    podman rm --force --ignore --volumes "$container" >/dev/null 2>&1
    podman volume rm --force "$container-data" >/dev/null 2>&1
    podman rmi --force "$image" "$base" >/dev/null 2>&1
}
trap cleanup EXIT

check_container() {
    deploy/container/build-base.sh "$base" || { fail "container: base image (mmdebstrap)"; return; }
    podman build --quiet --format docker --build-arg BASE="$base" -f deploy/container/Containerfile -t "$image" . >/dev/null \
        || { fail "container: podman build"; return; }
    echo "deploy: image $image: $(podman image inspect --format '{{.Size}}' "$image") bytes"
    [ "$(podman image inspect --format '{{.Config.User}}' "$image")" = "65532:65532" ] \
        && pass "container: runs as 65532, not root" || fail "container: the image's user is not 65532:65532"

    # Loopback ports chosen by podman. The health check runs when asked (podman healthcheck run):
    # its timer would need systemd, which this machine does not run, so podman logs an error
    # about "systemd connection" that is expected here.
    # Run as compose.yaml and the Deployment run it: read-only root, no capability, data_dir a
    # fresh named volume (the image's ownership of /var/lib/portcullis is copied into it).
    podman run --detach --name "$container" --health-interval=disable \
        --read-only --read-only-tmpfs=false --cap-drop=ALL --security-opt=no-new-privileges \
        --volume "$container-data:/var/lib/portcullis" \
        --publish 127.0.0.1::8443 --publish 127.0.0.1::8080 \
        "$image" demo --https 0.0.0.0:8443 --http 0.0.0.0:8080 >/dev/null \
        || { fail "container: podman run"; return; }

    local healthy=0
    for _ in $(seq 1 30); do
        if podman healthcheck run "$container" >/dev/null 2>&1; then healthy=1; break; fi
        [ "$(podman inspect --format '{{.State.Running}}' "$container")" = "true" ] || break
        sleep 1
    done
    if [ "$healthy" -ne 1 ]; then
        podman logs "$container" 2>&1 | tail -20
        fail "container: the HEALTHCHECK never passed within 30 s"
        return
    fi
    pass "container: HEALTHCHECK healthy"

    local port body
    port=$(podman port "$container" 8443/tcp | sed 's/.*://')
    body=$(curl --silent --show-error --insecure --max-time 10 --write-out '\n%{http_code}' "https://localhost:$port/api/v3/admin/system/")
    if [ "$(tail -n1 <<<"$body")" = "200" ] && grep -q '"http_is_secure": true' <<<"$body"; then
        pass "container: HTTPS through the image reaches the emulator (200, seen as HTTPS)"
    else
        echo "$body" | tail -20
        fail "container: HTTPS request through the image did not return the emulator's 200"
    fi
    # The demo's self-signed certificate went to data_dir, in the volume, as the image's user.
    if podman volume inspect --format '{{.Mountpoint}}' "$container-data" | xargs -I{} find {} -maxdepth 1 -name 'self-signed-*.crt' -user 65532 | grep -q .; then
        pass "container: generated certificate kept in the data_dir volume, owned by 65532"
    else
        ls -ln "$(podman volume inspect --format '{{.Mountpoint}}' "$container-data")"
        fail "container: no generated certificate in the data_dir volume"
    fi

    # SIGTERM: Portcullis drains (shutdown_drain, 10 s in the demo) and exits 0 by itself;
    # podman's SIGKILL after 20 s would show as 137.
    local started elapsed code
    started=$(date +%s)
    podman stop --time 20 "$container" >/dev/null
    elapsed=$(( $(date +%s) - started ))
    code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
    if [ "$code" = "0" ] && [ "$elapsed" -le 12 ]; then
        pass "container: podman stop (SIGTERM) -> exit code 0 after ${elapsed} s"
    else
        podman logs "$container" 2>&1 | tail -20
        fail "container: podman stop gave exit code $code after ${elapsed} s (want 0 within the 10 s drain)"
    fi
}
check_container

# ---- 2. The systemd unit. verify checks that ExecStart's program exists: point it at the build.
check_systemd() {
    local work output
    work=$(mktemp -d)
    sed "s#/usr/bin/portcullis#$binary#g" deploy/systemd/portcullis.service >"$work/portcullis.service"
    output=$(systemd-analyze verify "$work/portcullis.service" 2>&1)
    if [ $? -eq 0 ] && [ -z "$output" ]; then
        pass "systemd: systemd-analyze verify, no warning"
    else
        echo "$output"
        fail "systemd: systemd-analyze verify"
    fi
    # Exposure is 0 (best) to 10; above 2.0 fails, and so does anything on stderr.
    output=$(systemd-analyze security --offline=yes --threshold=20 --no-pager deploy/systemd/portcullis.service 2>&1 >"$work/security")
    local code=$?
    local score
    score=$(grep -o 'Overall exposure level for portcullis.service: [0-9.]*' "$work/security" | awk '{print $NF}')
    if [ "$code" -eq 0 ] && [ -z "$output" ] && [ -n "$score" ]; then
        pass "systemd: systemd-analyze security --offline, exposure $score"
    else
        cat "$work/security"; echo "$output"
        fail "systemd: systemd-analyze security --offline (exposure ${score:-?}, threshold 2.0)"
    fi

    # The sandbox against what the binary really does: the demo under strace, exercised by
    # portcullis check (HTTPS, HTTP/2, WebSockets, redirects) and stopped with SIGTERM.
    local tracer pid https http
    mkdir -p "$work/data"
    XDG_DATA_HOME=$work/data strace -f -qq -o "$work/trace" "$binary" demo --https 127.0.0.1:0 --http 127.0.0.1:0 >"$work/demo.log" 2>&1 &
    tracer=$!
    for _ in $(seq 1 60); do
        grep -q 'listening on http://' "$work/demo.log" && break
        sleep 0.5
    done
    https=$(grep -o 'listening on https://127.0.0.1:[0-9]*' "$work/demo.log" | head -1 | sed 's/.*://')
    http=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/demo.log" | head -1 | sed 's/.*://')
    if [ -z "$https" ] || [ -z "$http" ]; then
        cat "$work/demo.log"
        fail "systemd: the traced demo did not start"
    else
        echo "deploy: traffic for the trace: portcullis check: $("$binary" check "https://localhost:$https/" --insecure --http-url "http://localhost:$http/" | tail -n1)"
        pid=$(pgrep -P "$tracer" | head -1)
        [ -n "$pid" ] && kill -TERM "$pid"
    fi
    for _ in $(seq 1 40); do kill -0 "$tracer" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$tracer" 2>/dev/null && kill -KILL "$tracer"
    wait "$tracer" 2>/dev/null
    if output=$(deploy/systemd/sandbox-trace.py deploy/systemd/portcullis.service "$work/trace" 2>&1); then
        pass "systemd: the sandbox allows what the binary did ($(tail -n1 <<<"$output"))"
    else
        echo "$output"
        fail "systemd: the unit's sandbox would refuse what the binary did"
    fi
    rm -rf "$work"
}
check_systemd

# ---- 3. The Kubernetes manifests. Debian 12 packages neither kubectl nor kustomize: without a
# kubectl on the machine this build is not run, and says so (it is not counted as a pass).
check_kubernetes() {
    if ! command -v kubectl >/dev/null; then
        echo "deploy: NOT RUN kubernetes: kubectl kustomize (no kubectl here; Debian 12 packages neither kubectl nor kustomize). The manifests are still checked by tests/Portcullis.Tests/Deploy."
        return
    fi
    local built kinds
    built=$(kubectl kustomize deploy/kubernetes 2>&1) || { echo "$built"; fail "kubernetes: kubectl kustomize"; return; }
    kinds=$(grep '^kind:' <<<"$built" | sort | tr '\n' ' ')
    if [ "$kinds" = "kind: ConfigMap kind: Deployment kind: Namespace kind: PodDisruptionBudget kind: Service " ]; then
        pass "kubernetes: kubectl kustomize builds ConfigMap, Deployment, Namespace, PodDisruptionBudget, Service"
    else
        fail "kubernetes: kubectl kustomize built: $kinds"
    fi
}
check_kubernetes

# ---- The Compose example's Portcullis configuration is one portcullis validate accepts.
if output=$("$binary" validate --config deploy/compose/portcullis.yaml 2>&1); then
    pass "compose: portcullis validate deploy/compose/portcullis.yaml"
else
    echo "$output"
    fail "compose: portcullis validate deploy/compose/portcullis.yaml"
fi

echo "deploy: $failures failed"
[ "$failures" -eq 0 ]
