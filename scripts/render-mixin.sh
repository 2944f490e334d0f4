#!/usr/bin/env bash
# Renders the monitoring mixin into the rules and dashboards this repository
# ships: alerts/pgconn.rules.yml and dashboards/<name>.json.
#   bash scripts/render-mixin.sh                 # rewrites the committed files
#   bash scripts/render-mixin.sh OUT_DIR [MIXIN] # renders into OUT_DIR/alerts and OUT_DIR/dashboards
# MIXIN (default mixin/mixin.libsonnet) may be a file that imports the mixin
# and overrides its _config, e.g. another pgconnSelector.
# Needs the jsonnet CLI and python3-yaml (scripts/install-deps.sh).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$repo}")
mixin=$(realpath "${2:-$repo/mixin/mixin.libsonnet}")
command -v jsonnet >/dev/null || { echo "render-mixin: jsonnet not found (apt-get install jsonnet)" >&2; exit 1; }

mkdir -p "$out/alerts"
rules="$out/alerts/pgconn.rules.yml"
{
  echo "# GENERATED from mixin/ by scripts/render-mixin.sh: edit the mixin, not this file."
  echo "# The conventions of these rules are explained in mixin/alerts.libsonnet."
  # PyYAML writes the YAML (jsonnet's std.manifestYamlDoc takes 20 s for it);
  # multi-line expressions as literal blocks, as they were written.
  # (Every rule has annotations: check_alerts.py requires them.)
  jsonnet -J "$repo" -e "(import '$mixin').prometheusAlerts" | python3 -c '
import json, sys, yaml
def text(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)
yaml.SafeDumper.add_representer(str, text)
def ordered(d, first):  # jsonnet sorts keys; a rule reads better in this order
    return {**{k: d[k] for k in first if k in d}, **{k: v for k, v in d.items() if k not in first}}
doc = json.load(sys.stdin)
for group in doc["groups"]:
    group["rules"] = [ordered(dict(rule, annotations=ordered(rule["annotations"], ["summary", "description"])),
                              ["alert", "record", "expr", "for", "labels"]) for rule in group["rules"]]
yaml.safe_dump(doc, sys.stdout, sort_keys=False, width=1000, allow_unicode=True)
'
} >"$rules.tmp"
mv "$rules.tmp" "$rules"


# One JSON file per entry of grafanaDashboards, named by its key. Python
# writes them: it prints 0.8 as 0.8, where jsonnet prints 0.80000000000000004.
mkdir -p "$out/dashboards"
jsonnet -J "$repo" -e "(import '$mixin').grafanaDashboards" | python3 -c '
import json, os, sys
for name, dashboard in json.load(sys.stdin).items():
    with open(os.path.join(sys.argv[1], name), "w", encoding="utf-8") as f:
        f.write(json.dumps(dashboard, indent=2) + "\n")
' "$out/dashboards"
