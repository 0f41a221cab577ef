"""Run pip-audit on the pinned runtime requirements and fail on anything not justified in
.ci/pip-audit-ignore.txt: a known vulnerability (by its id) or a package that could not be audited.

Lines of the ignore file: `<VULN-ID or unaudited:<package or *>> <justification>`; a line without a
justification is refused. Nothing is ever reported as audited when it was not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore.txt"


def justifications() -> dict[str, str]:
    """Read the ignore file: key -> why."""
    found = {}
    for number, line in enumerate(IGNORE_FILE.read_text().splitlines(), start=1) if IGNORE_FILE.exists() else []:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, why = line.partition(" ")
        if not why.strip():
            sys.exit(f"{IGNORE_FILE}:{number}: '{key}' has no justification")
        found[key] = why.strip()
    return found


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "-r", str(ROOT / "requirements.txt"), "-f", "json",
               "--progress-spinner", "off"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit did not run: {result.stderr.strip()[-500:]}")
        return 1
    allowed, failures = justifications(), 0
    unaudited = [d for d in report["dependencies"] if d.get("skip_reason")]
    for dependency in report["dependencies"]:
        for vulnerability in dependency.get("vulns", []):
            ids = [vulnerability["id"], *vulnerability.get("aliases", [])]
            why = next((allowed[i] for i in ids if i in allowed), None)
            print(f"{'justified' if why else 'VULNERABLE'}: {dependency['name']} {dependency.get('version')} "
                  f"{vulnerability['id']} {why or vulnerability.get('fix_versions')}")
            failures += why is None
    for dependency in unaudited:
        why = allowed.get(f"unaudited:{dependency['name']}") or allowed.get("unaudited:*")
        failures += why is None
        if why is None:
            print(f"NOT AUDITED: {dependency['skip_reason']}")
    if unaudited:
        print(f"pip-audit could not audit {len(unaudited)} of {len(report['dependencies'])} packages"
              + (f"; accepted because: {allowed['unaudited:*']}" if "unaudited:*" in allowed else ""))
    audited = len(report["dependencies"]) - len(unaudited)
    print(f"pip-audit: {audited} packages audited, {failures} unjustified problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
