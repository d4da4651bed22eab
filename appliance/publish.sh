#!/usr/bin/env bash
# appliance/publish.sh: publishes applianced and appliancectl self-contained for linux-x64, with
# ReadyToRun code (fast start), into one folder, so a machine needs no .NET install to run them.
#
#   bash appliance/publish.sh [OUT_DIR]      default: out/publish/linux-x64 in the repository
#
# Both programs share the same runtime files, so publishing them into one folder stores the
# runtime once. The runtime packs (Microsoft.NETCore.App.Runtime.linux-x64,
# Microsoft.AspNetCore.App.Runtime.linux-x64, Microsoft.NETCore.App.Crossgen2.linux-x64) come
# from NuGet like any package. Prints the folder on its last line.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$REPO/out/publish/linux-x64}
RID=linux-x64

log() { printf '[publish] %s\n' "$*" >&2; }

command -v dotnet >/dev/null || { log "error: the .NET SDK (dotnet) is needed to publish"; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# A folder left from another version would mix runtime files: start clean.
find "$OUT" -mindepth 1 -delete

for project in src/Appliance.Node/Appliance.Node.csproj src/Appliance.Cli/Appliance.Cli.csproj; do
  log "dotnet publish $project ($RID, self-contained, ReadyToRun)"
  attempt=1
  # The runtime packs are large downloads on a fresh machine: retry a flaky registry.
  until dotnet publish "$REPO/$project" -c Release -r "$RID" --self-contained \
      -p:PublishReadyToRun=true -p:DebugType=none -p:GenerateDocumentationFile=false \
      -o "$OUT" -v quiet -nologo >&2; do
    [ $attempt -lt 3 ] || { log "error: dotnet publish $project failed 3 times"; exit 1; }
    log "dotnet publish failed (attempt $attempt of 3), retrying"
    sleep $((attempt * 5))
    attempt=$((attempt + 1))
  done
done

for program in applianced appliancectl; do
  [ -x "$OUT/$program" ] || { log "error: $OUT/$program missing after publish"; exit 1; }
done
log "$(du -sh "$OUT" | cut -f1) in $OUT"
echo "$OUT"
