#!/usr/bin/env bash
# appliance/test-vagrant.sh: the slow, opt-in Vagrant test of the pair, with nothing from the
# internet. Builds what is missing (the image with build-image.sh, the box with build-box.sh),
# then, with the root Vagrantfile and the appliance box (libvirt, software emulation):
#   1. vagrant up: lb1 and lb2, each with two loopback backends;
#   2. the cluster: appliancectl cluster members over vagrant ssh lists both Up, on both nodes;
#   3. the VIP answers from this machine, served by lb1 (the higher priority);
#   4. vagrant halt --force lb1 (power cut), and the time until the VIP answers from lb2;
#   5. vagrant up lb1: it rejoins (both Up again) and reports ready (its state synced);
#   6. vagrant destroy -f, and every libvirt network and volume the run made is removed.
# Prints each step's duration and the total.
#
#   sudo bash appliance/test-vagrant.sh [--rebuild] [--keep]
#
#   --rebuild  build the image and the box again even if they exist
#   --keep     leave the pair running at the end (vagrant destroy -f yourself)
#
# Needs root, vagrant, vagrant-libvirt, libvirt-daemon-system, qemu-system-x86, curl, and what
# build-image.sh and build-box.sh name. libvirtd is started if it is not running (and stopped
# again if this script started it). Not run by scripts/test.sh: it takes half an hour or more
# under software emulation.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
REBUILD=0 KEEP=0
NET=${APPLIANCE_VAGRANT_NET:-198.18.0}
VIP=$NET.10

log() { printf '[test-vagrant] %s\n' "$*" >&2; }
die() { printf '[test-vagrant] FAIL: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --rebuild) REBUILD=1 ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

[ "$(id -u)" = 0 ] || die "run as root (libvirt's system instance, the image build)"
missing=()
for tool in vagrant:vagrant virsh:libvirt-clients libvirtd:libvirt-daemon-system qemu-system-x86_64:qemu-system-x86 curl:curl; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
ls -d /usr/share/rubygems-integration/all/gems/vagrant-libvirt-* >/dev/null 2>&1 || vagrant plugin list 2>/dev/null | grep -q vagrant-libvirt || missing+=(vagrant-libvirt)
[ ${#missing[@]} -eq 0 ] || die "missing: apt-get install ${missing[*]}"

# Vagrant's state for this run stays under out/ (box store, machine state), never in $HOME.
export VAGRANT_HOME=$REPO/out/vagrant/home VAGRANT_DOTFILE_PATH=$REPO/out/vagrant/machines
export VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_DEFAULT_PROVIDER=libvirt APPLIANCE_VAGRANT_BOX=appliance
export VAGRANT_NO_PARALLEL=1 # one guest boots at a time: two cores, software emulation
cd "$REPO"

declare -a STEPS=()
started=$SECONDS
record() { STEPS+=("$(printf '%-40s %6s s' "$1" "$2")"); }
step() { # step NAME COMMAND...: runs it, records its duration
  local name=$1 t=$SECONDS
  shift
  log "== $name"
  "$@" || die "$name failed (exit $?): $*"
  record "$name" $((SECONDS - t))
}

STARTED_LIBVIRTD=""
cleanup() {
  set +e
  if [ $KEEP = 0 ]; then
    vagrant destroy -f >/dev/null 2>&1
    # What vagrant-libvirt made and destroy may leave: the pair's domains, networks, volumes.
    for d in $(virsh -q list --all --name 2>/dev/null | grep -E '_(lb1|lb2)$'); do virsh destroy "$d" >/dev/null 2>&1; virsh undefine "$d" --remove-all-storage >/dev/null 2>&1; done
    for n in appliance-vagrant-pair appliance-vagrant-mgmt; do
      virsh net-destroy "$n" >/dev/null 2>&1; virsh net-undefine "$n" >/dev/null 2>&1
    done
    for v in $(virsh -q vol-list default 2>/dev/null | awk '$1 ~ /^appliance|_(lb1|lb2)/ { print $1 }'); do virsh vol-delete "$v" --pool default >/dev/null 2>&1; done
    left=$(virsh -q list --all --name 2>/dev/null | grep -cE '_(lb1|lb2)$')
    [ "${left:-0}" = 0 ] || log "warning: $left domain(s) of the pair are still defined (virsh list --all)"
  fi
  if [ -n "$STARTED_LIBVIRTD" ] && [ $KEEP = 0 ]; then
    if [ "$STARTED_LIBVIRTD" = systemd ]; then systemctl stop libvirtd.service virtlogd.service
    else kill $STARTED_LIBVIRTD 2>/dev/null
    fi
  fi
}
trap cleanup EXIT

start_libvirtd() {
  virsh -c qemu:///system version >/dev/null 2>&1 && return 0
  if [ -d /run/systemd/system ]; then
    systemctl start virtlogd.service libvirtd.service && STARTED_LIBVIRTD=systemd
  else
    # No systemd here (a container): the daemons by hand, stopped again at the end.
    virtlogd -d && libvirtd -d
    sleep 1
    STARTED_LIBVIRTD="$(pgrep -x libvirtd) $(pgrep -x virtlogd)"
  fi
  local i
  for i in $(seq 1 30); do virsh -c qemu:///system version >/dev/null 2>&1 && return 0; sleep 1; done
  die "libvirtd did not answer on qemu:///system"
}
step "libvirtd" start_libvirtd
# libvirt's default storage pool (vagrant-libvirt's volumes go there).
if ! virsh pool-info default >/dev/null 2>&1; then
  mkdir -p /var/lib/libvirt/images
  virsh pool-define-as default dir --target /var/lib/libvirt/images >/dev/null && virsh pool-start default >/dev/null
fi

if [ $REBUILD = 1 ] || [ ! -s out/image/appliance.raw ]; then
  step "image (build-image.sh)" bash "$HERE/build-image.sh"
fi
if [ $REBUILD = 1 ] || [ ! -s out/vagrant/appliance.box ] || [ out/vagrant/appliance.box -ot out/image/appliance.raw ]; then
  step "box (build-box.sh)" bash "$HERE/build-box.sh"
  vagrant box remove --force appliance >/dev/null 2>&1 || true
fi

ssh_on() { vagrant ssh "$1" -c "$2" -- -o ConnectTimeout=20 2>/dev/null; }
# members_up NODE: how many members NODE sees Up.
members_up() { ssh_on "$1" 'appliancectl --json cluster members' | grep -o '"state": *"Up"' | wc -l; }
wait_for() { # wait_for SECONDS WHAT COMMAND...: retries until COMMAND succeeds
  local limit=$1 what=$2 t=$SECONDS
  shift 2
  until "$@"; do
    [ $((SECONDS - t)) -lt "$limit" ] || die "$what: not within ${limit}s"
    sleep 2
  done
}
both_up() { [ "$(members_up "$1")" -ge 2 ]; }
vip_body() { curl -fsS --max-time 1 "http://$VIP/" 2>/dev/null; }
vip_from() { vip_body | grep -q "on $1\$"; }

step "vagrant up (lb1, lb2)" vagrant up --provider libvirt
step "cluster: both Up on lb1" wait_for 300 "both members Up on lb1" both_up lb1
step "cluster: both Up on lb2" wait_for 120 "both members Up on lb2" both_up lb2
ssh_on lb1 'appliancectl cluster members; appliancectl vip list' >&2 || true
step "VIP answers from this machine (lb1)" wait_for 120 "the VIP $VIP answering from lb1" vip_from lb1
log "VIP: $(vip_body)"

# A power cut of the owner: no graceful hand-over; lb2 must notice and take the VIP.
t=$SECONDS
vagrant halt --force lb1 >&2 || die "vagrant halt --force lb1 failed"
halted=$(date +%s.%N)
record "vagrant halt --force lb1" $((SECONDS - t))
wait_for 120 "the VIP answering from lb2 after lb1 was cut" vip_from lb2
moved=$(date +%s.%N)
move=$(awk -v a="$halted" -v b="$moved" 'BEGIN { printf "%.1f", b - a }')
record "VIP answers from lb2 (after the halt)" "$move"
log "VIP moved to lb2 ${move}s after lb1 was powered off: $(vip_body)"

step "vagrant up lb1 (again)" vagrant up lb1 --provider libvirt
step "rejoin: both Up on lb2" wait_for 300 "lb1 back Up in lb2's view" both_up lb2
step "rejoin: lb1 ready (synced)" wait_for 300 "lb1 ready" sh -c "vagrant ssh lb1 -c 'appliancectl --json status' 2>/dev/null | grep -q '\"ready\": *true'"
log "VIP after lb1's return: $(vip_body || echo 'no answer')"

if [ $KEEP = 0 ]; then
  t=$SECONDS
  cleanup
  trap - EXIT
  record "vagrant destroy -f (and networks)" $((SECONDS - t))
fi

log "durations:"
for s in "${STEPS[@]}"; do log "  $s"; done
echo "PASS: test-vagrant in $((SECONDS - started)) s (VIP move after a power cut: ${move}s); load average $(cut -d' ' -f1-3 /proc/loadavg)"
