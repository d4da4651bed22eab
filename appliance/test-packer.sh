#!/usr/bin/env bash
# appliance/test-packer.sh: the slow, opt-in Packer test, with nothing from the internet.
#   1. the base image: out/base/debian-12-base.qcow2 (appliance/build-base.sh), built if missing;
#   2. packer build of packer/appliance.pkr.hcl from it (source_image, its SHA512SUMS, software
#      emulation, headless, the build VM on 198.18.20.0/24);
#   3. appliance/test-image.sh on the result: first-boot file applied, applianced active, READY,
#      the admin API answers (401 without the token), the root file system fills the disk.
# Prints each step's duration and the total.
#
#   sudo bash appliance/test-packer.sh [--rebuild-base] [--kvm]
#
#   --rebuild-base  build the base image again even if it exists
#   --kvm           hardware virtualisation for the build and the test (default: tcg)
#
# Needs root (the base image partitions a loop device), packer, qemu-system-x86, qemu-utils, the
# .NET SDK (the template publishes the binaries) and what build-base.sh and test-image.sh name.
# Takes 15 to 40 minutes under software emulation. Not run by scripts/test.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BASE=$REPO/out/base
REBUILD=0 ACCEL=tcg

log() { printf '[test-packer] %s\n' "$*" >&2; }
die() { printf '[test-packer] FAIL: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --rebuild-base) REBUILD=1 ;;
    --kvm) ACCEL=kvm ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

[ "$(id -u)" = 0 ] || die "run as root (the base image is built on a loop device)"
missing=()
for tool in packer:packer qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils dotnet:dotnet-sdk; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
[ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]} (apt-get install them; the .NET SDK from Microsoft's packages)"
[ $ACCEL = tcg ] || [ -w /dev/kvm ] || die "--kvm: /dev/kvm is missing or not writable"

declare -a STEPS=()
started=$SECONDS
step() { # step NAME COMMAND...: runs it, records its duration
  local name=$1 t=$SECONDS
  shift
  log "== $name"
  "$@" || die "$name failed (exit $?): $*"
  STEPS+=("$(printf '%-28s %5d s' "$name" $((SECONDS - t)))")
}

if [ $REBUILD = 1 ] || [ ! -s "$BASE/debian-12-base.qcow2" ] || [ ! -s "$BASE/SHA512SUMS" ]; then
  step "base image (build-base.sh)" bash "$HERE/build-base.sh" --out "$BASE"
else
  log "base image: $BASE/debian-12-base.qcow2 (kept; --rebuild-base makes it again)"
fi

# Packer's cache (its copy of the source image) and state stay under out/, never in $HOME.
export CHECKPOINT_DISABLE=1 PACKER_CACHE_DIR=$REPO/out/packer-cache
packer_build() {
  packer build -force \
    -var "source_image=$BASE/debian-12-base.qcow2" \
    -var "source_checksum=file:$BASE/SHA512SUMS" \
    -var "accelerator=$ACCEL" \
    -var "guest_network=198.18.20.0/24" \
    "$REPO/packer/appliance.pkr.hcl"
}
step "packer build" packer_build
[ -s "$REPO/out/packer/appliance.raw" ] || die "packer build left no out/packer/appliance.raw"
rm -rf "$PACKER_CACHE_DIR"

test_args=(--image "$REPO/out/packer/appliance.raw")
[ $ACCEL = kvm ] && test_args+=(--kvm)
step "boot and check (test-image.sh)" bash "$HERE/test-image.sh" "${test_args[@]}"

log "durations:"
for s in "${STEPS[@]}"; do log "  $s"; done
echo "PASS: test-packer in $((SECONDS - started)) s ($ACCEL); load average $(cut -d' ' -f1-3 /proc/loadavg)"
