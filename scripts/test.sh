#!/usr/bin/env bash
# scripts/test.sh: run every test of the solution on a fresh machine.
#
#   1. installs the Debian packages the tests need, if missing (APT_PACKAGES)
#   2. dotnet restore, retried up to 3 times (registry flakiness), and the appliance's
#      self-contained binaries published once (appliance/publish.sh) for the image tests
#   3. dotnet test Appliance.sln -c Release, one .trx file per test project
#      into TestResults/ (per-project "Passed!/Failed!" lines on the console)
#   4. prints "N passed, N failed, N skipped" summed over the .trx files
# Exits non-zero if dotnet test failed or no test ran.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Proxy").
# Works from any directory.

set -euo pipefail

# Debian packages the tests need. Add to this list as tests grow;
# EXTRA_APT_PACKAGES in the environment adds more for one run.
# chromium: the dashboard test drives Debian's /usr/bin/chromium with Playwright
# (Playwright's own browser download is never used).
APT_PACKAGES="iproute2 procps curl openssl python3 chromium"
# packer, vagrant and vagrant-libvirt, systemd (systemd-analyze, systemd-networkd), udev
# (udevadm): the appliance image's template, Vagrantfile, units and first-boot network files are
# checked with their own tools.
APT_PACKAGES="$APT_PACKAGES packer vagrant vagrant-libvirt systemd udev"
# nftables, iptables: the degraded-link tests' netem substitute (loss rule, NFQUEUE delay rule).
APT_PACKAGES="$APT_PACKAGES nftables iptables"
# libpcap0.8: the VIP driver sends gratuitous ARP / NA through SharpPcap, which loads libpcap.so.0.8.
APT_PACKAGES="$APT_PACKAGES libpcap0.8"
APT_PACKAGES="$APT_PACKAGES ${EXTRA_APT_PACKAGES:-}"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
RESULTS_DIR="$REPO/TestResults"

log() { printf '[test] %s\n' "$*" >&2; }

install_packages() {
  local missing=() p
  for p in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "warning: missing packages ${missing[*]} and not root; tests that need them may fail"
    return 0
  fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

restore() {
  local attempt
  for attempt in 1 2 3; do
    if dotnet restore Appliance.sln; then return 0; fi
    log "dotnet restore failed (attempt $attempt of 3)"
    [ "$attempt" -lt 3 ] && sleep $((attempt * 5))
  done
  return 1
}

# summarize DIR: prints "passed failed skipped" summed over DIR/*.trx
summarize() {
  python3 - "$1" <<'EOF'
import glob, os, sys
import xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(os.path.join(sys.argv[1], "*.trx")):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"[test] cannot parse {path}: {e}", file=sys.stderr)
        failed += 1
        continue
    for r in root.iter():
        if not r.tag.endswith("}UnitTestResult") and r.tag != "UnitTestResult":
            continue
        outcome = r.get("outcome", "")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive", "Pending", "Disconnected", "Warning"):
            skipped += 1
        else:  # Failed, Error, Timeout, Aborted, ...
            failed += 1
print(passed, failed, skipped)
EOF
}

main() {
  install_packages
  restore || { log "dotnet restore failed 3 times"; exit 1; }

  # The appliance's self-contained binaries, published once for the image tests (they read
  # APPLIANCE_PUBLISH_DIR instead of publishing again).
  log "publishing the appliance binaries (appliance/publish.sh)"
  APPLIANCE_PUBLISH_DIR=$(bash appliance/publish.sh "$REPO/out/publish/linux-x64") \
    || { log "appliance/publish.sh failed"; exit 1; }
  export APPLIANCE_PUBLISH_DIR

  rm -rf "$RESULTS_DIR"
  local rc=0
  dotnet test Appliance.sln -c Release --no-restore \
    --logger trx --results-directory "$RESULTS_DIR" "$@" || rc=$?

  local passed failed skipped status=0
  passed=0 failed=0 skipped=0
  read -r passed failed skipped < <(summarize "$RESULTS_DIR") || true
  if [ "$rc" -ne 0 ]; then log "dotnet test exited $rc"; status=$rc
  elif [ $((passed + failed)) -eq 0 ]; then log "no test ran"; status=1
  elif [ "$failed" -ne 0 ]; then status=1
  fi
  # The summary stays the last line printed.
  echo
  echo "$passed passed, $failed failed, $skipped skipped"
  exit "$status"
}

main "$@"
