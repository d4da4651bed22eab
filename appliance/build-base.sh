#!/usr/bin/env bash
# appliance/build-base.sh: a plain Debian 12 disk image with cloud-init, made on this machine: the
# local stand-in for Debian's "generic" cloud image that packer/appliance.pkr.hcl starts from
# where there is no internet (appliance/test-packer.sh passes it as source_image).
#
#   sudo bash appliance/build-base.sh [--out DIR] [--size SIZE] [--mirror LINE]...
#
#   --out DIR      where the image goes (default: out/base in the repository)
#   --size SIZE    disk size, as truncate(1) takes it (default 2G)
#   --mirror LINE  an apt source line ("deb URI bookworm main"); repeatable. Default: the Debian
#                  bookworm sources this machine's apt uses
#
# Makes DIR/debian-12-base.qcow2 and DIR/SHA512SUMS. The first stage of build-image.sh (its disk
# layout, bootstrap, boot loader; sourced from it, so the two cannot drift), then what a cloud
# image has and the template relies on: cloud-init (NoCloud: Packer serves the build login),
# sudo, SSH, DHCP through systemd-networkd with systemd-resolved. No appliance in it.
#
# Needs what build-image.sh needs, except the .NET SDK.
set -euo pipefail

BASE_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASE_ARGS=("$@")
set --
# shellcheck source=build-image.sh
. "$BASE_HERE/build-image.sh"
set -- "${BASE_ARGS[@]}"
usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
log() { printf '[build-base] %s\n' "$*" >&2; }
die() { printf '[build-base] error: %s\n' "$*" >&2; exit 1; }

OUT=$REPO/out/base
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=${2:?--out needs a folder}; shift ;;
    --size) SIZE=${2:?--size needs a size}; shift ;;
    --mirror) MIRRORS+=("${2:?--mirror needs an apt source line}"); shift ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

# A cloud image's packages: the appliance's own come later, from provision.sh through Packer.
PACKAGES=(
  systemd systemd-sysv systemd-resolved udev dbus kmod
  linux-image-amd64 initramfs-tools grub-pc grub-efi-amd64-bin
  openssh-server sudo cloud-init iproute2 ca-certificates
)

configure_base() {
  # DHCP on every NIC, as a cloud image does (its cloud-init network rendering is switched off:
  # one network manager, the one the appliance uses). The template removes it once the
  # appliance's own DHCP default is installed.
  mkdir -p "$MNT/etc/systemd/network"
  cat >"$MNT/etc/systemd/network/99-base-dhcp.network" <<'EOF'
# build-base.sh: DHCP on every NIC of the base image (removed when the appliance is provisioned).
[Match]
Name=en* eth*

[Network]
DHCP=yes
EOF
  mkdir -p "$MNT/etc/cloud/cloud.cfg.d"
  cat >"$MNT/etc/cloud/cloud.cfg.d/90-base.cfg" <<'EOF'
# build-base.sh: the build's user data comes from NoCloud (Packer's HTTP server, named in the
# SMBIOS serial); the network is systemd-networkd's, not rendered by cloud-init.
datasource_list: [ NoCloud, None ]
network: { config: disabled }
EOF
  ln -sfn ../run/systemd/resolve/stub-resolv.conf "$MNT/etc/resolv.conf"
  chroot "$MNT" systemctl enable systemd-networkd.service systemd-resolved.service ssh.service >/dev/null 2>&1
  mkdir -p "$MNT/etc/default/grub.d"
  cat >"$MNT/etc/default/grub.d/90-base.cfg" <<'EOF'
GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX net.ifnames=0 console=tty0 console=ttyS0,115200"
GRUB_TIMEOUT=1
EOF
  chroot "$MNT" update-grub 2>&1 | sed 's/^/[update-grub] /' >&2
  [ -f "$MNT/boot/grub/grub.cfg" ] || die "update-grub did not write /boot/grub/grub.cfg"
  # Like a cloud image: no identity of its own (cloud-init and first boot make them).
  rm -f "$MNT"/etc/ssh/ssh_host_*
  : >"$MNT/etc/machine-id"
  chroot "$MNT" apt-get clean
  rm -rf "$MNT"/var/lib/apt/lists/* "$MNT"/tmp/*
}

base_main() {
  BOOTSTRAP=""
  PUBLISH=unused # build-image.sh's check wants binaries or the SDK; the base has no appliance
  check_requirements
  if [ ${#MIRRORS[@]} -eq 0 ]; then
    mapfile -t MIRRORS < <(host_mirrors)
    [ ${#MIRRORS[@]} -gt 0 ] || die "no Debian $SUITE source in this machine's apt configuration; pass --mirror 'deb URI $SUITE main'"
  fi
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
  local raw="$OUT/debian-12-base.raw" qcow="$OUT/debian-12-base.qcow2" started=$SECONDS
  make_disk "$raw"
  bootstrap
  configure_system
  install_bootloader
  configure_base
  fstrim "$MNT" 2>/dev/null || true
  cleanup
  LOOP="" MNT=""
  trap - EXIT
  qemu-img convert -c -O qcow2 "$raw" "$qcow.part"
  rm -f "$raw"
  mv -f "$qcow.part" "$qcow"
  (cd "$OUT" && sha512sum "$(basename "$qcow")" >SHA512SUMS)
  log "done in $((SECONDS - started)) s: $qcow ($(du -h "$qcow" | cut -f1))"
}

base_main
