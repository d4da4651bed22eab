#!/usr/bin/env bash
# scripts/faults.sh: the fault-injection suite (issue 9), all of it, with its figures.
#
#   bash scripts/faults.sh                  # everything, the long tests included (10-15 min)
#   bash scripts/faults.sh --filter ...     # extra arguments go to `dotnet test` (they narrow the run)
#
# It runs, through scripts/test.sh (which installs the Debian packages, restores, builds, writes
# .trx files and prints the totals):
#   - every test of tests/Appliance.Faults.Tests (trait Category=Faults), with APPLIANCE_FAULTS=1 so
#     the long ones run too (backend flapping, slow clients, 20,000 connections, a larger live fuzz,
#     ten kill -9s, ten rolling restarts and ten partitions of a three-node cluster in network
#     namespaces: those need root and iproute2, and are skipped with the reason otherwise);
#   - the existing tests of the other projects that the suite relies on (CLASSES below; what each
#     proves is in docs/reliability.md). The script fails if one of them no longer exists.
# Then it prints every figure the tests recorded (TestResults/faults-figures.jsonl), each with the
# 1-minute load average at the time, and the load average now.
#
# APPLIANCE_FUZZ_SEED=n replays a fuzz run whose seed a failure printed.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

# Existing test classes that are part of the suite (namespace-qualified, as in the .trx files).
CLASSES=(
  Appliance.Tests.Http.EdgeTests                       # Node.Tests: smuggling shapes, forwarded headers (in process)
  Appliance.Tests.Http.TlsTests                        # Node.Tests: TLS 1.2 floor, certificates on reload
  Appliance.Tests.Http.HealthCheckTests                # Node.Tests: active and passive checks
  Appliance.Tests.Http.RetryTests                      # Node.Tests: a request that could not be sent goes elsewhere
  Appliance.Tests.Daemon.DaemonTests                   # Node.Tests: a bad file on reload keeps the last good one
  Appliance.Tests.Vips.VipNetworkTests                 # Node.Tests: VIP failover, move, partition, gateway track (netns)
  Appliance.Tests.Tcp.TcpLimitsTests                   # Node.Tests: TCP listener limits
  Appliance.Tests.Transport.FrameFuzzTests             # Cluster.Tests: 100,000 frames, fixed seed
  Appliance.Tests.Transport.FrameDecoderTests          # Cluster.Tests: every check of a frame
  Appliance.Tests.Transport.TcpClusterTransportTests   # Cluster.Tests: listener refusals, replay, wrong key
  Appliance.Tests.Transport.TransportMemoryTests       # Cluster.Tests: hostile lengths cost no memory
  Appliance.Tests.Wire.WireDecoderValidationTests      # Cluster.Tests: payload bounds
  Appliance.Tests.Wire.ReplicaDecoderValidationTests   # Cluster.Tests: replication payload bounds
  Appliance.Tests.Membership.IncarnationCheckTests     # Cluster.Tests: old incarnations quarantined
  Appliance.Tests.Api.AuthTests                        # Management.Tests: who needs the admin token
  Appliance.Tests.Configuration.ConfigValidatorTests   # Core.Tests: every semantic problem, with its path
  Appliance.Tests.Configuration.ConfigLoaderErrorTests # Core.Tests: syntax and type errors
)

FIGURES="$REPO/TestResults/faults-figures.jsonl"

filter="Category=Faults"
for class in "${CLASSES[@]}"; do
  filter="$filter|FullyQualifiedName~$class."
done

export APPLIANCE_FAULTS=1
export APPLIANCE_FIGURES="$FIGURES"
export EXTRA_APT_PACKAGES="util-linux ${EXTRA_APT_PACKAGES:-}" # prlimit

rc=0
bash "$REPO/scripts/test.sh" --filter "$filter" "$@" || rc=$?

python3 - "$REPO/TestResults" "$FIGURES" "${CLASSES[@]}" <<'EOF' || rc=1
import glob, json, os, sys
results, figures, classes = sys.argv[1], sys.argv[2], sys.argv[3:]
names = []
for path in glob.glob(os.path.join(results, "*.trx")):
    import xml.etree.ElementTree as ET
    for r in ET.parse(path).getroot().iter():
        if r.tag.endswith("}UnitTestResult"):
            names.append(r.get("testName", ""))
missing = [c for c in classes if not any(n.startswith(c + ".") for n in names)]
for c in missing:
    print(f"[faults] no test of {c} ran: renamed or removed? Update CLASSES in scripts/faults.sh and docs/reliability.md.")
if os.path.exists(figures):
    rows = [json.loads(line) for line in open(figures) if line.strip()]
    print()
    print(f"{'test':<40} {'figure':<62} {'value':>12}  unit      load")
    for r in sorted(rows, key=lambda r: (r["test"], r["at"])):
        print(f"{r['test'][:40]:<40} {r['figure'][:62]:<62} {r['value']:>12}  {r['unit']:<8} {r['load']:.2f}")
sys.exit(1 if missing else 0)
EOF
echo "[faults] load average now: $(cat /proc/loadavg)"
exit "$rc"
