#!/usr/bin/env bash
# Fuzzes Portcullis with SharpFuzz and libFuzzer (the config loader, the forwarded headers, the PROXY
# protocol parser, the ClientHello ALPN scan): builds fuzz/Portcullis.Fuzz, instruments its copy
# of Portcullis.Proxy.dll (and YamlDotNet.dll, for the config parser's branches) with the SharpFuzz
# tool, builds the libFuzzer front end in fuzz/driver with clang, and runs each target for
# FUZZ_SECONDS (default 120). See fuzz/README.md.
#
# Usage: fuzz/run.sh [config|headers|proxyheader|clienthello]...   (default: all four, one after the other)
# Environment: FUZZ_SECONDS (120 per target), FUZZ_OUT (work directory; default a new
# /tmp/portcullis-fuzz.XXXXXX). Exit 1 when a target crashed: the input is in
# FUZZ_OUT/<target>/crash-*, replay it with FUZZ_OUT/build/Portcullis.Fuzz <target> --repro FILE.
set -euo pipefail

FUZZ=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SECONDS_PER_TARGET=${FUZZ_SECONDS:-120}
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(config headers proxyheader clienthello)

log() { printf '%s fuzz: %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 2; }

# --- What the run needs, installed when missing ----------------------------------------------
command -v dotnet >/dev/null || die "the .NET 10 SDK is needed"
CLANG=$(command -v clang || command -v clang-14 || true)
FUZZER_LIB=$([[ -n $CLANG ]] && "$CLANG" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
if [[ -z $CLANG || ! -f $FUZZER_LIB ]]; then
    [[ $EUID -eq 0 ]] || die "clang and libFuzzer are needed: apt-get install clang libclang-rt-dev (or the -14 versions)"
    log "installing clang and libFuzzer (Debian's clang, libclang-rt-*-dev)"
    apt-get update -qq
    if [[ -n $CLANG ]]; then
        version=$("$CLANG" -dumpversion | cut -d. -f1)
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "libclang-rt-$version-dev" >/dev/null
    else
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null
        CLANG=$(command -v clang)
    fi
fi
export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz >/dev/null; then
    log "installing the SharpFuzz.CommandLine tool (NuGet, global dotnet tool)"
    dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

# --- Work directory and cleanup ------------------------------------------------------------------
OUT=${FUZZ_OUT:-$(mktemp -d /tmp/portcullis-fuzz.XXXXXX)}
mkdir -p "$OUT"
FUZZER_PID=
cleanup() {
    # libFuzzer's process kills its .NET child on exit; if libFuzzer itself is stopped hard, the
    # child is in its process group.
    if [[ -n $FUZZER_PID ]] && kill -0 "$FUZZER_PID" 2>/dev/null; then
        kill -TERM -- "-$FUZZER_PID" 2>/dev/null || kill -TERM "$FUZZER_PID" 2>/dev/null || true
        sleep 1
        kill -KILL -- "-$FUZZER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Build, instrument --------------------------------------------------------------------------
BUILD=$OUT/build
log "building fuzz/Portcullis.Fuzz into $BUILD"
rm -rf "$BUILD"
dotnet build "$FUZZ/Portcullis.Fuzz" -c Release -o "$BUILD" --nologo -v quiet >"$OUT/build.log" 2>&1 \
    || { tail -20 "$OUT/build.log" >&2; die "build failed"; }
for dll in Portcullis.Proxy.dll YamlDotNet.dll; do
    sharpfuzz "$BUILD/$dll" >"$OUT/instrument-$dll.log" 2>&1 || { cat "$OUT/instrument-$dll.log" >&2; die "sharpfuzz could not instrument $dll"; }
done
"$CLANG" -O1 -fsanitize=fuzzer "$FUZZ/driver/libfuzzer-sharpfuzz.c" -o "$OUT/libfuzzer-sharpfuzz"

# --- Run -----------------------------------------------------------------------------------------
crashed=()
for target in "${TARGETS[@]}"; do
    [[ -d $FUZZ/corpus/$target ]] || die "unknown target '$target' (no fuzz/corpus/$target)"
    # The seeds stay as they are; what libFuzzer adds goes to a copy.
    # A rerun with the same FUZZ_OUT goes on from the corpus grown so far; earlier crash inputs
    # are moved to previous/ so that only this run's count.
    mkdir -p "$OUT/$target/corpus" "$OUT/$target/previous"
    cp -n "$FUZZ/corpus/$target"/* "$OUT/$target/corpus/"
    find "$OUT/$target" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) -exec mv -t "$OUT/$target/previous/" {} +
    log "$target: ${SECONDS_PER_TARGET}s, corpus $OUT/$target/corpus, log $OUT/$target/fuzz.log"
    # -timeout: one input taking 10 s is a hang and saved as timeout-*; -rss_limit_mb covers only this
    # process (the .NET child is bounded by the exec/s it can do in FUZZ_SECONDS).
    set +e
    setsid "$OUT/libfuzzer-sharpfuzz" --target_path="$BUILD/Portcullis.Fuzz" --target_arg="$target" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="$OUT/$target/" "$OUT/$target/corpus" >"$OUT/$target/fuzz.log" 2>&1 &
    FUZZER_PID=$!
    wait "$FUZZER_PID"
    rc=$?
    set -e
    FUZZER_PID=
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$OUT/$target/fuzz.log")
    cov=$(grep -E '^#[0-9]+' "$OUT/$target/fuzz.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' || true)
    artifacts=$(find "$OUT/$target" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    if [[ $rc -ne 0 || -n $artifacts ]]; then
        crashed+=("$target")
        log "$target: CRASH after ${execs:-?} executions (libFuzzer exit $rc): ${artifacts:-no artifact, see the log}"
        grep -m1 -A3 -E 'Exception|InvariantException' "$OUT/$target/fuzz.log" >&2 || tail -20 "$OUT/$target/fuzz.log" >&2
    else
        log "$target: no crash in ${SECONDS_PER_TARGET}s, ${execs:-?} executions, $cov"
    fi
done

if ((${#crashed[@]})); then
    echo "FUZZ FAIL: crashes in ${crashed[*]}; inputs under $OUT"
    exit 1
fi
echo "FUZZ PASS: ${TARGETS[*]}, ${SECONDS_PER_TARGET}s each, no crash; corpus and logs in $OUT"
