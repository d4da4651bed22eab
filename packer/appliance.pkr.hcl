# The appliance image from a Debian cloud image, for users with internet access (Packer >= 1.6.6,
# Debian's packer package included). The setup is appliance/provision.sh, the same script
# appliance/build-image.sh runs in its chroot, so both paths make the same appliance.
#
#   Download Debian 12's "generic" amd64 cloud image (debian-12-generic-amd64.qcow2, the one
#   with the full kernel, for bare metal and VMs) and its SHA512SUMS from Debian's cloud image
#   site into packer/, then:
#     packer build packer/appliance.pkr.hcl      (from any folder)
#   Output: out/packer/appliance.qcow2 and out/packer/appliance.raw (write the raw one with dd).
#   Needs qemu-system-x86, qemu-utils and the .NET SDK on the build machine (the first step
#   publishes applianced and appliancectl with appliance/publish.sh).
#
# Without internet: appliance/build-base.sh makes a Debian 12 base image with cloud-init here,
# and appliance/test-packer.sh builds from it, in software emulation:
#     packer build -var source_image=$PWD/out/base/debian-12-base.qcow2 \
#       -var source_checksum=file:$PWD/out/base/SHA512SUMS -var accelerator=tcg \
#       -var guest_network=198.18.20.0/24 packer/appliance.pkr.hcl

variable "source_image" {
  type        = string
  default     = "debian-12-generic-amd64.qcow2"
  description = "Debian 12 generic amd64 cloud image: a URL, or a path (relative: to the packer/ folder)."
}

variable "source_checksum" {
  type        = string
  default     = ""
  description = "Checksum of source_image: 'sha512:HEX' or 'file:PATH' of a SHA512SUMS file. Default: packer/SHA512SUMS when it is there, else no check (Packer warns)."
}

locals {
  repo = abspath("${path.root}/..")
  # Debian publishes SHA512SUMS beside its cloud images: downloaded with the image, it is used.
  source_checksum = var.source_checksum != "" ? var.source_checksum : (fileexists("${path.root}/SHA512SUMS") ? "file:${path.root}/SHA512SUMS" : "none")
}

variable "disk_size" {
  type        = string
  default     = "4G"
  description = "Size of the image's disk."
}

variable "accelerator" {
  type        = string
  default     = "kvm"
  description = "QEMU accelerator: kvm, or tcg (software emulation, slow) where /dev/kvm is missing."
}

variable "guest_network" {
  type        = string
  default     = "10.0.2.0/24"
  description = "The build VM's user-mode network (QEMU's own default: 10.0.2.0/24); Packer's HTTP server is its .2."
}

locals {
  # The build VM reaches Packer's HTTP server (the cloud-init data) at the user network's host.
  http_host = cidrhost(var.guest_network, 2)
}

source "qemu" "appliance" {
  iso_url          = length(split("://", var.source_image)) > 1 || substr(var.source_image, 0, 1) == "/" ? var.source_image : "${path.root}/${var.source_image}"
  iso_checksum     = local.source_checksum
  disk_image       = true
  disk_size        = var.disk_size
  format           = "qcow2"
  disk_compression = true
  accelerator      = var.accelerator
  cpus             = 2
  memory           = 2048
  headless         = true
  vm_name          = "appliance.qcow2"
  output_directory = "${local.repo}/out/packer"
  net_device       = "virtio-net"
  disk_interface   = "virtio"

  # cloud-init's NoCloud data source, served by Packer's HTTP server: a temporary build login.
  http_directory = "${path.root}/http"
  # The network is spelled out (Packer would add the same without the net= part) so that it
  # can be numbered; the SSH forward is Packer's.
  qemuargs = [
    ["-smbios", "type=1,serial=ds=nocloud-net;s=http://${local.http_host}:{{ .HTTPPort }}/"],
    ["-netdev", "user,id=user.0,net=${var.guest_network},hostfwd=tcp::{{ .SSHHostPort }}-:22"],
    ["-device", "virtio-net,netdev=user.0"],
  ]

  communicator = "ssh"
  ssh_username = "packer"
  ssh_password = "packer-build-only"
  ssh_timeout  = "20m"

  # The build login goes with the build: deleted as root, then power off.
  shutdown_command = "sudo sh -c 'userdel -rf packer; rm -f /etc/sudoers.d/90-cloud-init-users; shutdown -P now'"
}

build {
  sources = ["source.qemu.appliance"]

  # Self-contained binaries, on the build machine (no .NET in the image).
  provisioner "shell-local" {
    inline = ["bash '${local.repo}/appliance/publish.sh' '${local.repo}/out/publish/linux-x64'"]
  }

  provisioner "shell" {
    inline = ["mkdir -p /tmp/appliance-src/publish"]
  }

  provisioner "file" {
    source      = "${local.repo}/appliance"
    destination = "/tmp/appliance-src"
  }

  provisioner "file" {
    source      = "${local.repo}/docs"
    destination = "/tmp/appliance-src"
  }

  provisioner "file" {
    source      = "${local.repo}/out/publish/linux-x64/"
    destination = "/tmp/appliance-src/publish"
    generated   = true # made by the shell-local step above
  }

  # The same setup as build-image.sh, plus the packages the cloud image lacks.
  provisioner "shell" {
    execute_command  = "sudo env {{ .Vars }} bash '{{ .Path }}'"
    environment_vars = ["DEBIAN_FRONTEND=noninteractive"]
    inline = [
      "apt-get update -q",
      "apt-get install -y -q --no-install-recommends systemd-resolved systemd-timesyncd bash-completion curl libpcap0.8",
      "bash /tmp/appliance-src/appliance/provision.sh --image --network networkd /tmp/appliance-src/publish",
      # build-base.sh's DHCP file (absent in Debian's cloud image): the appliance has its own.
      "rm -rf /tmp/appliance-src /etc/systemd/network/99-base-dhcp.network",
    ]
  }

  post-processor "shell-local" {
    inline = ["qemu-img convert -O raw '${local.repo}/out/packer/appliance.qcow2' '${local.repo}/out/packer/appliance.raw'"]
  }
}
