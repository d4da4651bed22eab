#!/usr/bin/env bash
# appliance/test-image.sh: the slow, opt-in image test. Boots the image built by build-image.sh
# under QEMU and checks, from outside, what an operator would:
#   - the first-boot file on the EFI system partition is applied (host name, admin token);
#   - the admin API answers through a forwarded port, with the first-boot token, and says the
#     node is ready (the condition on which applianced sends systemd READY=1), named as the
#     first-boot file said; without the token it answers 401;
#   - over SSH, with the key the first-boot file gave root: applianced is active, and the root file
#     system fills the disk, which the test made larger than the image (GROW, default 1 GiB), as a
#     disk bigger than the image is when an operator flashes it;
#   - the node powers off cleanly.
# Prints the boot-to-ready time (QEMU start to the API's first "ready": true) and the image sizes.
#
#   bash appliance/test-image.sh [--image out/image/appliance.raw] [--uefi] [--kvm] [--timeout SECONDS]
#                                [--grow SIZE]
#
#   --uefi     boot with UEFI firmware (Debian's ovmf) instead of BIOS
#   --kvm      hardware virtualisation (default: software emulation, which works everywhere,
#              including VMs whose nested KVM exists but hangs guests, as on the project's VMs)
#   --timeout  give up after this long (default 900 s: software emulation is slow)
#   --grow     how much larger than the image the test disk is (truncate(1) size, default 1G)
#
# Needs qemu-system-x86, qemu-utils, mtools, curl, openssh-client (and ovmf with --uefi). Not run by
# scripts/test.sh: it takes minutes.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=$HERE/../out/image/appliance.raw
UEFI=0 KVM=0 TIMEOUT=900 GROW=1G

log() { printf '[test-image] %s\n' "$*" >&2; }
die() {
  printf '[test-image] FAIL: %s\n' "$*" >&2
  guest_journal
  exit 1
}

# After a failure, as root: the guest's own journal for our units, read from the disk copy (the
# image keeps a persistent journal), since the console shows only systemd's status lines.
guest_journal() {
  [ -n "${DISK:-}" ] && [ -f "$DISK" ] && [ "$(id -u)" = 0 ] || return 0
  if [ -n "${QEMU_PID:-}" ]; then kill "$QEMU_PID" 2>/dev/null; wait "$QEMU_PID" 2>/dev/null; QEMU_PID=""; fi
  local loop mnt
  loop=$(losetup --find --show --partscan --read-only "$DISK") || return 0
  partx -u "$loop" 2>/dev/null; sleep 1
  mnt=$(mktemp -d)
  if mount -o ro,noload "${loop}p3" "$mnt" 2>/dev/null; then
    log "the guest's journal (applianced, appliance-firstboot):"
    journalctl -D "$mnt/var/log/journal" -u applianced -u appliance-firstboot --no-pager -o short-monotonic 2>&1 | tail -n 60 >&2
    umount "$mnt"
  fi
  rmdir "$mnt"
  losetup -d "$loop"
}

while [ $# -gt 0 ]; do
  case $1 in
    --image) IMAGE=${2:?}; shift ;;
    --uefi) UEFI=1 ;;
    --kvm) KVM=1 ;;
    --timeout) TIMEOUT=${2:?}; shift ;;
    --grow) GROW=${2:?}; shift ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

missing=()
for tool in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils mcopy:mtools curl:curl sfdisk:fdisk python3:python3 ssh:openssh-client ssh-keygen:openssh-client; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
OVMF=/usr/share/OVMF/OVMF_CODE.fd
[ $UEFI = 0 ] || [ -r "$OVMF" ] || missing+=(ovmf)
[ ${#missing[@]} -eq 0 ] || die "missing tools; install them with: apt-get install ${missing[*]}"
[ -r "$IMAGE" ] || die "no image at $IMAGE: build it first (sudo bash appliance/build-image.sh)"

WORK=$(mktemp -d /tmp/appliance-test-image.XXXXXX)
QEMU_PID=""
cleanup() {
  if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then kill "$QEMU_PID"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A copy of the image (sparse), so the first boot happens on a fresh disk every run.
DISK=$WORK/disk.raw
case $IMAGE in
  *.qcow2) qemu-img convert -O raw "$IMAGE" "$DISK" ;;
  *) cp --sparse=always "$IMAGE" "$DISK" ;;
esac
IMAGE_BYTES=$(stat -c %s "$DISK")
truncate -s "+$GROW" "$DISK"

# The first-boot file, written into the EFI system partition (partition 2) with mtools.
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
NAME=lbtest$$
ssh-keygen -q -t ed25519 -N '' -C "test-image" -f "$WORK/id_ed25519"
cat >"$WORK/firstboot.conf" <<EOF
HOSTNAME=$NAME
ADMIN_TOKEN=$TOKEN
SSH_AUTHORIZED_KEY=$(cat "$WORK/id_ed25519.pub")
EOF
START_SECTOR=$(sfdisk -d "$DISK" | awk -F'[=,]' '/^[^ ]+2 :/ { gsub(/ /, "", $2); print $2 }')
[ -n "$START_SECTOR" ] || die "no partition 2 (EFI system partition) in $IMAGE"
mcopy -o -i "$DISK@@$((START_SECTOR * 512))" "$WORK/firstboot.conf" ::appliance-firstboot.conf

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
SSH_PORT=$(free_port)
ACCEL=tcg
if [ $KVM = 1 ]; then
  [ -w /dev/kvm ] || die "--kvm: /dev/kvm is missing or not writable"
  ACCEL=kvm
fi
FIRMWARE=()
[ $UEFI = 1 ] && FIRMWARE=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF")
CONSOLE=$WORK/console.log
# The guest's user-mode network is private to QEMU; only the admin port is forwarded, to loopback.
log "booting $(basename "$IMAGE") ($( [ $UEFI = 1 ] && echo UEFI || echo BIOS ), $ACCEL, 2 vCPU, 1 GiB); admin API on 127.0.0.1:$PORT"
started=$(date +%s.%N)
qemu-system-x86_64 -accel "$ACCEL" -cpu max -m 1024 -smp 2 "${FIRMWARE[@]}" \
  -drive "file=$DISK,format=raw,if=virtio" \
  -netdev "user,id=n0,net=198.18.10.0/24,hostfwd=tcp:127.0.0.1:$PORT-:9900,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22" \
  -device virtio-net-pci,netdev=n0 \
  -display none -serial "file:$CONSOLE" -monitor "unix:$WORK/monitor,server,nowait" \
  -no-reboot &
QEMU_PID=$!

deadline=$((SECONDS + TIMEOUT))
# The console text without its colour and cursor escapes ("Started \e[0;1;39mapplianced...").
console_text() { sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$CONSOLE" 2>/dev/null; }

# Ready = the admin API, through the forwarded port and with the first-boot token, says so
# (applianced sends systemd READY=1 on the same condition). The console is not enough: once the
# login prompt is up, systemd stops printing unit status lines there.
status=""
until status=$(curl -fsS --max-time 10 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/status" 2>/dev/null) \
    && python3 -c 'import json, sys; sys.exit(0 if json.loads(sys.argv[1]).get("ready") is True else 1)' "$status"; do
  kill -0 "$QEMU_PID" 2>/dev/null || { console_text | tail -n 40 >&2; die "QEMU exited before the node was ready"; }
  console_text | grep -qa 'Failed to start applianced' && die "systemd could not start applianced.service"
  [ $SECONDS -lt $deadline ] || { console_text | tail -n 40 >&2; die "the admin API did not report a ready node within ${TIMEOUT}s"; }
  sleep 2
done
ready=$(date +%s.%N)
boot_to_ready=$(python3 -c "print(f'{$ready - $started:.1f}')")
log "node ready ${boot_to_ready}s after QEMU started; admin API: $status"
console_text | grep -aE 'Failed to start|FAILED|DEPEND' >&2 && log "warning: a unit failed during boot (above)"
console_text | grep -qa "host name: $NAME" || die "the first-boot file was not applied (no 'host name: $NAME' on the console)"
python3 - "$status" "$NAME" <<'EOF' || die "the status is not the expected node"
import json, sys
s = json.loads(sys.argv[1])
assert s["name"] == sys.argv[2], f"name {s['name']!r}, expected the first-boot host name {sys.argv[2]!r}"
EOF
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$PORT/api/v1/status")
[ "$code" = 401 ] || die "the admin API answered $code without a token from outside (expected 401)"
log "admin API: 401 without the token, as it must from another machine"

guest() {
  ssh -q -i "$WORK/id_ed25519" -p "$SSH_PORT" -o BatchMode=yes -o ConnectTimeout=20 \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127.0.0.1 "$@"
}
active=$(guest systemctl is-active applianced.service) || die "no SSH login with the first-boot key (or applianced is not active: '$active')"
log "SSH with the first-boot key: applianced.service is $active"
# The root file system must have grown past the image's whole size into the added space.
root_bytes=$(guest findmnt -bno SIZE /) || die "could not read the root file system's size over SSH"
[ "$root_bytes" -gt "$IMAGE_BYTES" ] \
  || die "the root file system ($root_bytes bytes) did not grow into the larger disk (image $IMAGE_BYTES bytes + $GROW)"
log "root file system grew to fill the disk: $((root_bytes / 1048576)) MiB on a $(( $(stat -c %s "$DISK") / 1048576 )) MiB disk (image $((IMAGE_BYTES / 1048576)) MiB)"

log "powering off"
python3 - "$WORK/monitor" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"system_powerdown\n")
s.close()
EOF
for _ in $(seq 1 120); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 1; done
if kill -0 "$QEMU_PID" 2>/dev/null; then
  log "warning: no clean power-off within 120 s"
else
  QEMU_PID=""
  console_text | grep -qa 'Stopped applianced.service' && log "applianced stopped cleanly at power-off"
fi

raw_size=$(du -h --apparent-size "$IMAGE" | cut -f1)
used=$(du -h "$IMAGE" | cut -f1)
qcow=${IMAGE%.raw}.qcow2
qcow_size=$([ -r "$qcow" ] && du -h "$qcow" | cut -f1 || echo '?')
echo "PASS: boot to ready ${boot_to_ready}s ($ACCEL, $( [ $UEFI = 1 ] && echo UEFI || echo BIOS )); image $raw_size raw ($used used), qcow2 $qcow_size; load average $(cut -d' ' -f1-3 /proc/loadavg)"
