#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: the file parses with
# and without the `leak` profile, every service has a healthcheck, and the
# files it mounts exist.
# Run from the repository root (ctest does): bash tests/assets/check_compose.sh
set -euo pipefail

command -v docker-compose >/dev/null || { echo "check_compose: docker-compose not found (apt-get install docker-compose)"; exit 1; }

docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml --profile leak config -q

docker-compose -f docker-compose.yml --profile leak config | python3 -c '
import os, sys, yaml
cfg = yaml.safe_load(sys.stdin)
errors = []
services = cfg.get("services", {})
for name in ("postgres", "exporter", "prometheus", "alertmanager", "grafana", "loadgen"):
    if name not in services:
        errors.append(f"service {name} missing")
for name, svc in services.items():
    if not svc.get("healthcheck", {}).get("test"):
        errors.append(f"service {name} has no healthcheck")
    for vol in svc.get("volumes", []):
        src = vol.get("source", "") if isinstance(vol, dict) else str(vol).split(":")[0]
        if src.startswith("/") and not os.path.exists(src):
            errors.append(f"service {name} mounts missing {src}")
for name, sec in cfg.get("secrets", {}).items():
    path = sec.get("file", "")
    if not os.path.exists(path):
        errors.append(f"secret {name} file missing: {path}")
if "leak" not in services.get("loadgen", {}).get("profiles", []):
    errors.append("loadgen must only run under the leak profile")
for e in errors:
    print("check_compose:", e)
print(f"check_compose: {len(services)} services, {len(errors)} problem(s)")
sys.exit(1 if errors else 0)
'
