#!/usr/bin/env bash
# appliance/build-box.sh: a Vagrant box (libvirt provider) of the appliance, from the image
# appliance/build-image.sh makes. The root Vagrantfile uses it by default.
#
#   bash appliance/build-box.sh [--image out/image/appliance.raw] [--out out/vagrant]
#
#   --image FILE  the appliance image, raw (default out/image/appliance.raw)
#   --out DIR     where the box goes (default out/vagrant): DIR/appliance.box
#
# The box (vagrant-libvirt's format: a tar of box.img (qcow2), metadata.json and a Vagrantfile)
# is the image with a first-boot file on its EFI system partition that gives root Vagrant's
# insecure public key, so the first `vagrant up` logs in and replaces it with a key of its own
# (as with any box). The box's Vagrantfile logs in as root (the appliance has no sudo and no
# other login) and switches off the /vagrant synced folder (no rsync or NFS client in the
# appliance). Add it with `vagrant box add --name appliance out/vagrant/appliance.box`; the root
# Vagrantfile does that itself on `vagrant up`.
#
# Needs qemu-utils, mtools, fdisk (sfdisk), vagrant (for its insecure key). No root.
set -euo pipefail
export MTOOLS_SKIP_CHECK=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
IMAGE=$REPO/out/image/appliance.raw
OUT=$REPO/out/vagrant

log() { printf '[build-box] %s\n' "$*" >&2; }
die() { printf '[build-box] error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --image) IMAGE=${2:?--image needs a file}; shift ;;
    --out) OUT=${2:?--out needs a folder}; shift ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

missing=()
for tool in qemu-img:qemu-utils mcopy:mtools sfdisk:fdisk vagrant:vagrant tar:tar; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
[ ${#missing[@]} -eq 0 ] || die "missing tools; install them with: apt-get install ${missing[*]}"
[ -r "$IMAGE" ] || die "no image at $IMAGE: build it first (sudo bash appliance/build-image.sh)"

# Vagrant's well-known insecure key, from the installed Vagrant (the one `vagrant up` tries first).
insecure_key() {
  local gem
  gem=$(ruby -e 'print Gem::Specification.find_by_name("vagrant").gem_dir' 2>/dev/null) || gem=""
  for f in "$gem/keys/vagrant.pub" /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub; do
    [ -r "$f" ] && { cat "$f"; return; }
  done
  return 1
}
KEY=$(insecure_key) || die "Vagrant's insecure public key (keys/vagrant.pub in Vagrant's gem) not found"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "$OUT/box.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
started=$SECONDS

cp --sparse=always "$IMAGE" "$WORK/disk.raw"
cat >"$WORK/firstboot.conf" <<EOF
# build-box.sh: Vagrant's insecure key for root; vagrant up replaces it with a key of its own.
SSH_AUTHORIZED_KEY=$KEY
EOF
start=$(sfdisk -d "$WORK/disk.raw" | awk -F'[=,]' '/^[^ ]+2 :/ { gsub(/ /, "", $2); print $2 }')
[ -n "$start" ] || die "no partition 2 (EFI system partition) in $IMAGE: not an image of build-image.sh"
mcopy -o -i "$WORK/disk.raw@@$((start * 512))" "$WORK/firstboot.conf" ::appliance-firstboot.conf
log "converting to qcow2 (box.img)"
qemu-img convert -O qcow2 "$WORK/disk.raw" "$WORK/box.img"
rm -f "$WORK/disk.raw" "$WORK/firstboot.conf"
bytes=$(qemu-img info --output=json "$WORK/box.img" | sed -n 's/.*"virtual-size": *\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$bytes" ] || die "qemu-img info did not give box.img's virtual size"
gib=$(( (bytes + 1073741823) / 1073741824 ))
printf '{\n  "provider": "libvirt",\n  "format": "qcow2",\n  "virtual_size": %d\n}\n' "$gib" >"$WORK/metadata.json"
cat >"$WORK/Vagrantfile" <<'EOF'
# The appliance box (appliance/build-box.sh): what every machine made from it needs.
Vagrant.configure("2") do |config|
  # root is the appliance's only login (SSH keys only); it has no sudo.
  config.ssh.username = "root"
  config.ssh.sudo_command = "%c"
  # No rsync or NFS client in the appliance: nothing is synced (copy files with the "file"
  # provisioner).
  config.vm.synced_folder ".", "/vagrant", disabled: true
  config.vm.provider :libvirt do |lv|
    lv.disk_bus = "virtio"
    lv.nic_model_type = "virtio"
  end
end
EOF
tar -C "$WORK" -cf "$WORK/appliance.box" metadata.json Vagrantfile box.img
mv -f "$WORK/appliance.box" "$OUT/appliance.box"
log "done in $((SECONDS - started)) s: $OUT/appliance.box ($(du -h "$OUT/appliance.box" | cut -f1), disk ${gib} GiB)"
log "add it: vagrant box add --force --name appliance $OUT/appliance.box (the root Vagrantfile does on vagrant up)"
