#!/usr/bin/env bash
# Builds the image's base from Debian's packages with mmdebstrap, so nothing is pulled from a
# container registry: the C library, OpenSSL (Native AOT's SslStream loads libssl at run time),
# zlib and the CA bundle, nothing else. No shell, no package manager. Usage:
#   deploy/container/build-base.sh [IMAGE]       (default localhost/portcullis-base:bookworm; root, podman, mmdebstrap)
set -euo pipefail
image=${1:-localhost/portcullis-base:bookworm}
suite=${SUITE:-bookworm}
mirror=${MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --variant=extract unpacks without running maintainer scripts (there is no shell to run them),
# so the hooks do on the host what the scripts would have done: the CA bundle that
# update-ca-certificates writes, and the users base-passwd would create. 65532 is the
# unprivileged user the image runs as.
mmdebstrap --quiet --variant=extract --mode=root \
    --include=base-files,libc6,libgcc-s1,libssl3,zlib1g,ca-certificates,tzdata,netbase \
    --customize-hook='cat "$1"/usr/share/ca-certificates/mozilla/*.crt > "$1"/etc/ssl/certs/ca-certificates.crt' \
    --customize-hook='printf "root:x:0:0:root:/root:/usr/sbin/nologin\nportcullis:x:65532:65532:portcullis:/var/lib/portcullis:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" > "$1"/etc/passwd' \
    --customize-hook='printf "root:x:0:\nportcullis:x:65532:\nnogroup:x:65534:\n" > "$1"/etc/group' \
    --customize-hook='rm -rf "$1"/usr/share/doc "$1"/usr/share/man "$1"/usr/share/locale "$1"/usr/share/lintian "$1"/var/cache/apt "$1"/var/lib/apt/lists "$1"/var/log/*' \
    "$suite" "$work/rootfs.tar" "$mirror"
podman import --quiet "$work/rootfs.tar" "$image" >/dev/null
echo "base image $image: $(podman image inspect --format '{{.Size}}' "$image") bytes"
