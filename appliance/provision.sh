#!/usr/bin/env bash
# appliance/provision.sh: installs the appliance onto the running Debian system (or inside a
# chroot of one). The one copy of the setup logic: build-image.sh runs it in the image's chroot,
# Packer on the booted cloud image, Vagrant on each balancer VM.
#
#   provision.sh [--image] [--network networkd|keep] [--start] PUBLISH_DIR
#
#   PUBLISH_DIR        applianced and appliancectl, self-contained (appliance/publish.sh)
#   --network networkd the network comes from systemd-networkd: DHCP on every NIC unless the
#                      first-boot file gives a static address (default with --image)
#   --network keep     leave the network configuration alone (default; Vagrant's)
#   --image            the system becomes an image flashed onto many machines: no per-machine
#                      identity may stay in it (machine id, SSH host keys, admin token, cluster
#                      key; first boot makes new ones), cloud-init is switched off, the kernel
#                      command line gets a serial console and eth0-style interface names
#   --start            start applianced now (a live system, e.g. Vagrant)
#
# Runs as root. Safe to run again (an upgrade): the binaries are replaced, an existing
# /etc/appliance/appliance.json is kept (the shipped one is written beside it as .dist).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FILES="$HERE/files"
DOCS="$HERE/../docs"
IMAGE=0 NETWORK="" START=0 PUBLISH=""

log() { printf '[provision] %s\n' "$*"; }
die() { printf '[provision] error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
    --image) IMAGE=1 ;;
    --network) NETWORK=${2:-}; shift ;;
    --start) START=1 ;;
    -h|--help) usage ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$PUBLISH" ] || die "one PUBLISH_DIR only"; PUBLISH=$1 ;;
  esac
  shift
done
[ -n "$NETWORK" ] || { [ $IMAGE = 1 ] && NETWORK=networkd || NETWORK=keep; }
case $NETWORK in networkd|keep) ;; *) die "--network takes networkd or keep, not '$NETWORK'" ;; esac
[ -n "$PUBLISH" ] || die "PUBLISH_DIR missing: the output of appliance/publish.sh (see --help)"
[ -x "$PUBLISH/applianced" ] && [ -x "$PUBLISH/appliancectl" ] \
  || die "$PUBLISH does not hold applianced and appliancectl: run appliance/publish.sh first"
[ "$(id -u)" = 0 ] || die "run as root"
[ -d "$FILES" ] || die "$FILES missing (run this script from the repository's appliance/ folder)"

# In a chroot (image build) systemctl can enable units but not start them.
running_systemd() { [ -d /run/systemd/system ] && ! systemd-detect-virt --chroot -q 2>/dev/null; }

install_binaries() {
  # Side by side, then swapped: a running applianced keeps its files until it restarts.
  rm -rf /opt/appliance.new
  mkdir -p /opt/appliance.new
  cp -a "$PUBLISH/." /opt/appliance.new/
  chown -R root:root /opt/appliance.new
  chmod -R u=rwX,go=rX /opt/appliance.new
  rm -rf /opt/appliance.old
  [ -d /opt/appliance ] && mv /opt/appliance /opt/appliance.old
  mv /opt/appliance.new /opt/appliance
  rm -rf /opt/appliance.old
  ln -sfn /opt/appliance/appliancectl /usr/bin/appliancectl
  ln -sfn /opt/appliance/applianced /usr/bin/applianced
  log "binaries: /opt/appliance ($(/opt/appliance/applianced --version 2>/dev/null || echo '?'))"
}

install_files() {
  local exclude=()
  [ "$NETWORK" = networkd ] || exclude=(--exclude=usr/lib/systemd/network)
  # Everything but the configuration, which is the operator's once installed.
  tar -C "$FILES" --exclude=etc/appliance "${exclude[@]}" -cf - . | tar -C / --no-same-owner --no-overwrite-dir -xf -
  systemd-sysusers /usr/lib/sysusers.d/appliance.conf
  install -d -o root -g appliance -m 0750 /etc/appliance
  local shipped="$FILES/etc/appliance/appliance.json"
  if [ -e /etc/appliance/appliance.json ]; then
    install -o root -g appliance -m 0640 "$shipped" /etc/appliance/appliance.json.dist
    log "kept /etc/appliance/appliance.json; the shipped default is beside it as appliance.json.dist"
  else
    install -o root -g appliance -m 0640 "$shipped" /etc/appliance/appliance.json
  fi
  mkdir -p /usr/share/doc/appliance
  if [ -d "$DOCS" ]; then
    cp "$DOCS"/*.md /usr/share/doc/appliance/
  fi
  if [ -d "$HERE/examples" ]; then
    rm -rf /usr/share/doc/appliance/examples
    cp -r "$HERE/examples" /usr/share/doc/appliance/examples
  fi
}

install_completion() {
  mkdir -p /usr/share/bash-completion/completions /usr/share/zsh/vendor-completions
  /opt/appliance/appliancectl completion bash >/usr/share/bash-completion/completions/appliancectl
  /opt/appliance/appliancectl completion zsh >/usr/share/zsh/vendor-completions/_appliancectl
  log "shell completion: bash and zsh"
}

setup_network() {
  [ "$NETWORK" = networkd ] || return 0
  systemctl enable systemd-networkd.service >/dev/null 2>&1
  if systemctl list-unit-files systemd-resolved.service >/dev/null 2>&1; then
    systemctl enable systemd-resolved.service >/dev/null 2>&1 || true
  fi
  # One network manager: ifupdown's interfaces would fight networkd over the same NICs.
  if systemctl list-unit-files networking.service >/dev/null 2>&1; then
    systemctl disable networking.service >/dev/null 2>&1 || true
  fi
  log "network: systemd-networkd (DHCP unless the first-boot file sets an address)"
}

enable_units() {
  systemctl enable appliance-firstboot.service applianced.service >/dev/null 2>&1 \
    || systemctl enable appliance-firstboot.service applianced.service
  log "units enabled: appliance-firstboot.service, applianced.service"
}

# Per-machine identity must not be copied onto every machine flashed from the image.
finalize_image() {
  rm -f /etc/appliance/admin.token /etc/appliance/cluster.key
  rm -f /etc/ssh/ssh_host_*
  : >/etc/machine-id
  rm -f /var/lib/dbus/machine-id
  if [ -d /etc/cloud ]; then
    touch /etc/cloud/cloud-init.disabled
    rm -f /etc/netplan/50-cloud-init.yaml /etc/network/interfaces.d/50-cloud-init
  fi
  if [ -d /etc/default/grub.d ] || [ -f /etc/default/grub ]; then
    mkdir -p /etc/default/grub.d
    cat >/etc/default/grub.d/90-appliance.cfg <<'EOF'
# The appliance: a serial console (VMs, IPMI serial-over-LAN) beside the screen, with systemd's
# unit status shown on it even with "quiet", and eth0-style interface names (the first-boot
# file's INTERFACE defaults to eth0).
GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX net.ifnames=0 console=tty0 console=ttyS0,115200 systemd.show_status=yes"
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB_TIMEOUT=1
EOF
    if command -v update-grub >/dev/null; then
      update-grub 2>&1 | sed 's/^/[provision] update-grub: /'
    fi
  fi
  apt-get clean
  rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*
  log "image: machine id, SSH host keys, token and key removed (first boot makes new ones)"
}

# What applianced loads at run time besides its own files: libpcap0.8 (SharpPcap sends the VIPs'
# gratuitous ARP / NA through it). The image build includes it; a running system may lack it.
install_packages() {
  dpkg -s libpcap0.8 >/dev/null 2>&1 && return 0
  log "apt-get install libpcap0.8"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libpcap0.8 >/dev/null; }; then
    log "warning: libpcap0.8 could not be installed; applianced runs without VIPs until it is"
  fi
}

main() {
  install_packages
  install_binaries
  install_files
  install_completion
  setup_network
  enable_units
  if running_systemd; then
    systemctl daemon-reload
    systemctl restart systemd-sysctl.service || log "warning: sysctl settings apply at next boot"
  fi
  [ $IMAGE = 1 ] && finalize_image
  if [ $START = 1 ]; then
    running_systemd || die "--start needs a running systemd (not a chroot)"
    systemctl start appliance-firstboot.service
    systemctl restart applianced.service
    log "applianced: $(systemctl is-active applianced.service)"
  fi
  log "done"
}

main
