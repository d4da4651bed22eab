#!/usr/bin/env bash
# scripts/demo.sh: build applianced (Release) and run its demo: three balancer nodes on loopback
# (ports 8080-8082, admin 9900-9902) sharing sticky sessions, in front of three demo backends.
# Extra arguments go to `applianced demo`. Ctrl-C stops the demo (exec).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DLL="$REPO/src/Appliance.Node/bin/Release/net10.0/applianced.dll"

dotnet build "$REPO/src/Appliance.Node" -c Release -nologo -v quiet
[ -f "$DLL" ] || { echo "demo: $DLL not found after build" >&2; exit 1; }
exec dotnet "$DLL" demo "$@"
