#!/usr/bin/env bash
# appliance/build-image.sh: builds the appliance's bootable disk image.
#
#   sudo bash appliance/build-image.sh [--out DIR] [--size SIZE] [--publish DIR] [--mirror LINE]...
#
#   --out DIR      where the images go (default: out/image in the repository)
#   --size SIZE    raw disk size, as truncate(1) takes it (default 2G; the file is sparse)
#   --publish DIR  use binaries already published by appliance/publish.sh (default: publish now,
#                  which needs the .NET SDK and NuGet)
#   --mirror LINE  an apt source line for the image ("deb URI bookworm main"); repeatable.
#                  Default: the Debian bookworm sources this machine's apt uses (apt-cache policy)
#
# Makes DIR/appliance.raw (GPT: BIOS boot, EFI system partition "APPLIANCE" holding the
# first-boot file, ext4 root), bootable by BIOS and UEFI; write it to a disk with dd. And
# DIR/appliance.qcow2, the same disk for QEMU/libvirt. Debian bookworm via mmdebstrap (or
# debootstrap), the kernel, systemd, SSH, then appliance/provision.sh --image in the image's chroot
# (the same script Packer and Vagrant run).
#
# Needs: root on Debian (or a derivative), loop devices, and the Debian packages mmdebstrap (or
# debootstrap), fdisk, dosfstools, mtools, e2fsprogs, mount, qemu-utils; it says which are
# missing. The EFI system partition is written with mtools, so the build machine's kernel needs
# loop devices and ext4 only.
set -euo pipefail
export MTOOLS_SKIP_CHECK=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=$REPO/out/image
SIZE=2G
PUBLISH=""
MIRRORS=()
SUITE=bookworm
# What the appliance runs on besides our files. libssl3 for TLS, ca-certificates for backends'
# certificates, libpcap0.8 for the VIPs' gratuitous ARP / NA (SharpPcap loads libpcap.so.0.8);
# .NET needs nothing else (self-contained, invariant globalization).
PACKAGES=(
  systemd systemd-sysv systemd-timesyncd systemd-resolved udev dbus kmod
  linux-image-amd64 initramfs-tools grub-pc grub-efi-amd64-bin
  openssh-server iproute2 iputils-ping ca-certificates libssl3 libpcap0.8 curl less procps bash-completion
)

log() { printf '[build-image] %s\n' "$*" >&2; }
die() { printf '[build-image] error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=${2:?--out needs a folder}; shift ;;
    --size) SIZE=${2:?--size needs a size}; shift ;;
    --publish) PUBLISH=${2:?--publish needs a folder}; shift ;;
    --mirror) MIRRORS+=("${2:?--mirror needs an apt source line}"); shift ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

check_requirements() {
  [ "$(id -u)" = 0 ] || die "run as root (it partitions a loop device and chroots)"
  [ -r /etc/debian_version ] || die "run on Debian or a derivative (it uses apt, dpkg and Debian's grub)"
  local missing=() tool package
  for tool in sfdisk:fdisk mkfs.vfat:dosfstools mcopy:mtools mkfs.ext4:e2fsprogs losetup:mount qemu-img:qemu-utils; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
  done
  if command -v mmdebstrap >/dev/null; then BOOTSTRAP=mmdebstrap
  elif command -v debootstrap >/dev/null; then BOOTSTRAP=debootstrap
  else missing+=(mmdebstrap)
  fi
  if [ -z "$PUBLISH" ] && ! command -v dotnet >/dev/null; then
    die "the .NET SDK is needed to publish the binaries, or pass --publish DIR with the output of appliance/publish.sh"
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    die "missing tools; install them with: apt-get install ${missing[*]}"
  fi
  [ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
  [ -e /dev/loop-control ] || die "no loop devices (/dev/loop-control): load the loop module (modprobe loop) or run outside a container"
  package=$(dpkg --print-architecture)
  [ "$package" = amd64 ] || die "builds an amd64 image on an amd64 machine only (this one is $package)"
}

# The bookworm sources this machine's apt uses, as one-line entries (deb URI SUITE COMPONENTS),
# read from apt-cache policy so both sources.list and deb822 .sources files count.
host_mirrors() {
  apt-cache policy | awk -v suite="$SUITE" '
    $1 ~ /^[0-9]+$/ && $2 ~ /^(https?|file):/ && $3 ~ /\// { uri = $2; split($3, sc, "/"); s = sc[1]; c = sc[2]; next }
    $1 == "release" && uri != "" {
      # bookworm, bookworm-updates and bookworm-security, from Debian itself
      if ($0 ~ /o=Debian/ && $0 ~ ("n=" suite "(-updates|-security)?(,|$)") && s ~ ("^" suite "(-updates|-security)?$")) {
        key = uri " " s
        if (!(key in comps)) order[++n] = key
        if (index(comps[key] " ", " " c " ") == 0) comps[key] = comps[key] " " c
      }
      uri = ""
    }
    END { for (i = 1; i <= n; i++) print "deb " order[i] comps[order[i]] }' | sort -k3,3
}

LOOP="" MNT=""
cleanup() {
  set +e
  if [ -n "$MNT" ]; then
    for m in dev/pts dev proc sys run ""; do
      mountpoint -q "$MNT/$m" && umount -l "$MNT/$m"
    done
    rmdir "$MNT" 2>/dev/null
  fi
  [ -n "$LOOP" ] && losetup -d "$LOOP"
}
trap cleanup EXIT

# partition DEVICE N: the node of partition N, waiting for it (devtmpfs without udev may lag).
partition() {
  local dev=$1 n=$2 i
  for i in $(seq 1 50); do
    [ -b "${dev}p$n" ] && { echo "${dev}p$n"; return; }
    [ "$i" = 10 ] && partx -u "$dev" 2>/dev/null
    sleep 0.1
  done
  die "partition $n of $dev did not appear"
}

make_disk() {
  local raw=$1
  rm -f "$raw"
  truncate -s "$SIZE" "$raw"
  # 1: BIOS boot (GRUB's core for BIOS machines), 2: EFI system partition, 3: root.
  sfdisk -q "$raw" <<'EOF'
label: gpt
size=1MiB, type=21686148-6449-6E6F-744E-656564454649, name="bios"
size=127MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="esp"
type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root"
EOF
  LOOP=$(losetup --find --show --partscan "$raw")
  ESP_DEV=$(partition "$LOOP" 2)
  ROOT_DEV=$(partition "$LOOP" 3)
  mkfs.vfat -F 32 -n APPLIANCE "$ESP_DEV" >/dev/null
  mkfs.ext4 -q -L appliance-root "$ROOT_DEV"
  MNT=$(mktemp -d /tmp/appliance-root.XXXXXX)
  mount "$ROOT_DEV" "$MNT"
}

bootstrap() {
  local include
  include=$(IFS=,; echo "${PACKAGES[*]}")
  log "bootstrapping Debian $SUITE with $BOOTSTRAP from: ${MIRRORS[*]}"
  if [ "$BOOTSTRAP" = mmdebstrap ]; then
    mmdebstrap --mode=root --variant=apt --include="$include" \
      --aptopt='Acquire::Retries "3"' \
      --customize-hook='echo appliance >"$1/etc/hostname"' \
      "$SUITE" "$MNT" "${MIRRORS[@]}" 2>&1 | sed 's/^/[mmdebstrap] /' >&2
  else
    local first=${MIRRORS[0]}
    read -r _ uri _ <<<"$first"
    debootstrap --variant=minbase --include="$include" "$SUITE" "$MNT" "$uri" 2>&1 | sed 's/^/[debootstrap] /' >&2
    printf '%s\n' "${MIRRORS[@]}" >"$MNT/etc/apt/sources.list"
    echo appliance >"$MNT/etc/hostname"
  fi
  [ -x "$MNT/usr/bin/systemctl" ] || die "the bootstrap did not install systemd (see its output above)"
}

configure_system() {
  local root_uuid esp_uuid
  root_uuid=$(blkid -s UUID -o value "$ROOT_DEV")
  esp_uuid=$(blkid -s UUID -o value "$ESP_DEV")
  cat >"$MNT/etc/fstab" <<EOF
# The appliance image: root, and the EFI system partition (it also carries the first-boot file).
UUID=$root_uuid / ext4 errors=remount-ro,x-systemd.growfs 0 1
UUID=$esp_uuid /boot/efi vfat umask=0077,nofail 0 2
EOF
  # A disk larger than the image (dd onto a 64 GB disk, a resized VM disk) is used whole: at every
  # boot systemd-repart grows the root partition (the last one, matched by its GPT type) into the
  # free space after it, and x-systemd.growfs above then grows ext4, online. Here and not in
  # provision.sh: only this script knows the root partition carries the root-x86-64 type; on a
  # layout it did not make, a repart definition could create a partition instead of growing one.
  mkdir -p "$MNT/usr/lib/repart.d"
  cat >"$MNT/usr/lib/repart.d/50-appliance-root.conf" <<'EOF'
# The appliance's root partition grows into whatever free space follows it (build-image.sh).
[Partition]
Type=root-x86-64
EOF
  printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$MNT/etc/hosts"
  # The ESP is filled with mtools, never mounted here: the build needs no vfat in its kernel.
  mkdir -p "$MNT/boot/efi"
  # The example first-boot file, ready to copy and edit on any OS.
  mcopy -o -i "$ESP_DEV" "$HERE/examples/appliance-firstboot.conf" ::appliance-firstboot.conf.example
  # A private /dev for the chroot: the few nodes its tools need, the disk's loop devices, and
  # the /dev/disk/by-uuid link update-grub looks for (without it, grub.cfg would name
  # root=/dev/loopNp3 instead of the UUID; a build machine without udev has no such links).
  for m in dev proc sys run; do mkdir -p "$MNT/$m"; done
  mount -t tmpfs -o mode=0755 devtmpfs-private "$MNT/dev"
  cp -a /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty "$LOOP" "$LOOP"p* "$MNT/dev/"
  mkdir -p "$MNT/dev/pts" "$MNT/dev/shm" "$MNT/dev/disk/by-uuid"
  ln -s "../../$(basename "$ROOT_DEV")" "$MNT/dev/disk/by-uuid/$root_uuid"
  ln -s "../../$(basename "$ESP_DEV")" "$MNT/dev/disk/by-uuid/$esp_uuid"
  mount -t devpts devpts "$MNT/dev/pts"
  mount -t proc proc "$MNT/proc"
  mount -t sysfs sysfs "$MNT/sys"
  mount -t tmpfs tmpfs "$MNT/run"
}

install_bootloader() {
  local root_uuid
  root_uuid=$(blkid -s UUID -o value "$ROOT_DEV")
  log "installing GRUB for BIOS (boot sector and BIOS boot partition)"
  chroot "$MNT" grub-install --target=i386-pc --boot-directory=/boot "$LOOP" 2>&1 | sed 's/^/[grub] /' >&2
  # UEFI: the removable-media path EFI/BOOT/BOOTX64.EFI, a standalone GRUB (its modules inside)
  # that finds the root file system by UUID and reads the same /boot/grub/grub.cfg as BIOS, so
  # kernel updates (update-grub) serve both. grub-install would want the ESP mounted.
  log "installing GRUB for UEFI (EFI/BOOT/BOOTX64.EFI)"
  cat >"$MNT/tmp/grub-efi.cfg" <<EOF
search --no-floppy --fs-uuid --set=root $root_uuid
configfile (\$root)/boot/grub/grub.cfg
EOF
  chroot "$MNT" grub-mkstandalone -O x86_64-efi --modules="part_gpt part_msdos ext2 search_fs_uuid" \
    -o /tmp/BOOTX64.EFI "boot/grub/grub.cfg=/tmp/grub-efi.cfg"
  mdir -i "$ESP_DEV" ::/EFI/BOOT >/dev/null 2>&1 || mmd -i "$ESP_DEV" ::/EFI ::/EFI/BOOT
  mcopy -o -i "$ESP_DEV" "$MNT/tmp/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
  rm -f "$MNT/tmp/BOOTX64.EFI" "$MNT/tmp/grub-efi.cfg"
}

provision() {
  local src="$MNT/tmp/appliance-src"
  rm -rf "$src"
  mkdir -p "$src/publish"
  cp -a "$HERE" "$src/appliance"
  rm -rf "$src/appliance/out"
  cp -a "$REPO/docs" "$src/docs"
  cp -a "$PUBLISH/." "$src/publish/"
  chroot "$MNT" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
    bash /tmp/appliance-src/appliance/provision.sh --image --network networkd /tmp/appliance-src/publish 2>&1 | sed 's/^/  /' >&2
  rm -rf "$src"
  [ -f "$MNT/boot/grub/grub.cfg" ] || die "update-grub did not write /boot/grub/grub.cfg"
}

main() {
  BOOTSTRAP=""
  check_requirements
  if [ ${#MIRRORS[@]} -eq 0 ]; then
    mapfile -t MIRRORS < <(host_mirrors)
    [ ${#MIRRORS[@]} -gt 0 ] || die "no Debian $SUITE source in this machine's apt configuration; pass --mirror 'deb URI $SUITE main'"
  fi
  if [ -z "$PUBLISH" ]; then
    PUBLISH=$(bash "$HERE/publish.sh")
  fi
  [ -x "$PUBLISH/applianced" ] || die "$PUBLISH holds no applianced (appliance/publish.sh makes it)"
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
  local raw="$OUT/appliance.raw" qcow="$OUT/appliance.qcow2" started=$SECONDS

  make_disk "$raw.part"
  bootstrap
  configure_system
  install_bootloader
  provision
  # Blocks freed in the build (apt's caches) would stay allocated in the raw file and the qcow2.
  fstrim "$MNT" 2>/dev/null || log "warning: fstrim failed; the image files are larger than they need to be"
  cleanup
  LOOP="" MNT=""
  trap - EXIT
  mv -f "$raw.part" "$raw"
  log "converting to qcow2"
  qemu-img convert -c -O qcow2 "$raw" "$qcow"
  log "done in $((SECONDS - started)) s:"
  log "  $raw   $(du -h --apparent-size "$raw" | cut -f1) disk, $(du -h "$raw" | cut -f1) used  (dd if=$raw of=/dev/sdX bs=4M conv=fsync)"
  log "  $qcow $(du -h "$qcow" | cut -f1)"
}

# Sourced (to resume or debug a build) it only defines the steps.
[ "${BASH_SOURCE[0]}" != "$0" ] || main
