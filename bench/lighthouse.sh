#!/usr/bin/env bash
# Lighthouse 12 (mobile defaults) on the participant page, served by gunicorn with production settings
# on a fresh SQLite database; prints the median accessibility and performance scores of 3 runs.
# Goals (issue 6): accessibility 100, performance >= 95. Lighthouse is installed in bench/lighthouse/
# with npm (never globally); Debian's chromium drives it.   Usage: bench/lighthouse.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
LH=bench/lighthouse/node_modules/.bin/lighthouse
[ -x "$LH" ] || (cd bench/lighthouse && npm install --no-audit --no-fund --silent)
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
WORK="$(mktemp -d)"
PORT="$(.venv/bin/python -c 'from bench.loadlib import free_port; print(free_port())')"
URL_DB="sqlite:///$WORK/lighthouse.sqlite3"
.venv/bin/python -c "from bench.loadlib import prepare_database; prepare_database('$URL_DB')" 2>/dev/null
SECRET_KEY=lighthouse SURVEY_PARTICIPANT_CODE_KEY=lighthouse SURVEY_PUBLIC_URL=http://127.0.0.1 DATABASE_URL="$URL_DB" SURVEY_INSTANCE_PATH="$WORK" \
  BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=1 GUNICORN_ACCESS_LOG=/dev/null \
  .venv/bin/gunicorn -c gunicorn.conf.py 'survey:create_app()' 2>"$WORK/gunicorn.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
for run in $(seq 1 "$RUNS"); do
  "$LH" "http://127.0.0.1:$PORT/s/BENCH1" --quiet --output=json --output-path="$WORK/run$run.json" \
    --only-categories=accessibility,performance \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
done
.venv/bin/python - "$WORK" "$RUNS" <<'PY'
import json, statistics, sys
from pathlib import Path
work, runs = Path(sys.argv[1]), int(sys.argv[2])
reports = [json.loads((work / f"run{n}.json").read_text()) for n in range(1, runs + 1)]
def scores(category):
    return [round(r["categories"][category]["score"] * 100) for r in reports]
a11y, perf = scores("accessibility"), scores("performance")
print(f"Lighthouse {reports[0]['lighthouseVersion']}, mobile defaults, {runs} runs of /s/<code> (participant form)")
print(f"accessibility: median {statistics.median(a11y):.0f}  runs {a11y}  goal 100: {'met' if statistics.median(a11y) == 100 else 'NOT met'}")
print(f"performance:   median {statistics.median(perf):.0f}  runs {perf}  goal >= 95: {'met' if statistics.median(perf) >= 95 else 'NOT met'}")
for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift"):
    values = [r["audits"][key]["numericValue"] for r in reports]
    print(f"  {key}: median {statistics.median(values):.0f}{'' if key.startswith('cumulative') else ' ms'}")
failed = sorted({a for r in reports for a, v in r["audits"].items()
                 if v.get("score") is not None and v["score"] < 1 and a in {x["id"] for x in r["categories"]["accessibility"]["auditRefs"]}})
if failed:
    print("accessibility audits not passed:", ", ".join(failed))
PY
