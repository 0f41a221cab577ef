"""Audit the pinned runtime dependencies (requirements.lock) with pip-audit and fail on anything not accounted for.

Every pin in requirements.lock must be either
  * audited online by pip-audit, with each known vulnerability justified by its id (or an alias) in
    .ci/pip-audit-ignore.txt (`<VULN-ID> <why>`; a line without a reason is refused), or
  * when pip-audit could not audit it (no access to the vulnerability services), listed with its exact
    `name==version` in .ci/advisory-review.txt: a dated by-hand review against the PyPA advisory database.
    A pin bumped in the lock without a new review line fails, and so does a review line for a pin that is
    no longer in the lock.
The lock must also satisfy requirements.txt (every requirement pinned, at a version its range allows).

The summary says how many packages were audited online and how many were only reviewed by hand: an offline
review is not an audit, and nothing is ever reported as audited when it was not.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS_FILE = ROOT / "requirements.txt"
LOCK_FILE = ROOT / "requirements.lock"
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore.txt"
REVIEW_FILE = ROOT / ".ci" / "advisory-review.txt"

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.+!_-]*)$")
ADVISORY_ID = re.compile(r"\b(?:PYSEC|GHSA|CVE|OSV)-[A-Za-z0-9-]+")


class ConfigError(ValueError):
    """A malformed line in one of the files the check reads."""


def canonical(name: str) -> str:
    """PEP 503 normalised project name: `Flask_SQLAlchemy` and `flask-sqlalchemy` are the same package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _lines(text: str) -> list[tuple[int, str]]:
    """(line number, content) of the lines that are neither blank nor comments; trailing comments removed."""
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            found.append((number, line))
    return found


def read_lock(text: str, source: str = "requirements.lock") -> dict[str, str]:
    """The lock's pins: canonical name -> exact version. Anything but `name==version` is refused."""
    pins: dict[str, str] = {}
    for number, line in _lines(text):
        match = PIN.match(line)
        if not match:
            raise ConfigError(f"{source}:{number}: '{line}' is not an exact pin `name==version`")
        name = canonical(match.group(1))
        if name in pins:
            raise ConfigError(f"{source}:{number}: {name} is pinned twice")
        pins[name] = match.group(2)
    return pins


def lock_problems(requirements_text: str, pins: dict[str, str]) -> list[str]:
    """Requirements of requirements.txt that the lock does not pin, or pins outside the allowed range."""
    from packaging.requirements import Requirement  # a dependency of pip-audit, present wherever the check runs

    problems = []
    for _, line in _lines(requirements_text):
        if line.startswith("-"):  # options such as `-r other.txt`; requirements.txt has none today
            continue
        requirement = Requirement(line)
        name = canonical(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name} is required by requirements.txt but not pinned in the lock")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{name}=={pins[name]} in the lock is outside '{requirement}' of requirements.txt")
    return problems


def read_justifications(text: str, source: str = "pip-audit-ignore.txt") -> dict[str, str]:
    """Vulnerability id -> why it is accepted. A line without a reason, or a blanket `unaudited:` line, is refused."""
    found: dict[str, str] = {}
    for number, line in _lines(text):
        key, _, why = line.partition(" ")
        if key.startswith("unaudited:"):
            raise ConfigError(
                f"{source}:{number}: '{key}' is no longer accepted: a package pip-audit could not audit must be "
                f"reviewed by its exact pin in {REVIEW_FILE.name}"
            )
        if not why.strip():
            raise ConfigError(f"{source}:{number}: '{key}' has no justification")
        found[key] = why.strip()
    return found


@dataclass(frozen=True)
class Review:
    pin: str
    date: datetime.date
    source: str
    advisories: str


def read_reviews(text: str, source: str = "advisory-review.txt") -> dict[str, Review]:
    """`name==version YYYY-MM-DD <source> <advisories considered, or none>` -> Review, keyed by canonical pin."""
    reviews: dict[str, Review] = {}
    for number, line in _lines(text):
        fields = line.split(None, 3)
        if len(fields) < 4:
            raise ConfigError(
                f"{source}:{number}: expected `name==version YYYY-MM-DD <source> <advisories considered, or none>`"
            )
        pin, date, where, advisories = fields
        match = PIN.match(pin)
        if not match:
            raise ConfigError(f"{source}:{number}: '{pin}' is not an exact pin `name==version`")
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise ConfigError(f"{source}:{number}: '{date}' is not a date YYYY-MM-DD") from None
        if not advisories.lower().startswith("none") and not (
            ADVISORY_ID.search(advisories) and ADVISORY_ID.sub("", advisories).strip(" ,;:()")
        ):
            raise ConfigError(
                f"{source}:{number}: list the advisory ids considered and why none affects {pin}, or write `none`"
            )
        key = f"{canonical(match.group(1))}=={match.group(2)}"
        if key in reviews:
            raise ConfigError(f"{source}:{number}: {key} is reviewed twice")
        reviews[key] = Review(key, day, where, advisories.strip())
    return reviews


@dataclass
class Outcome:
    lines: list[str] = field(default_factory=list)
    failures: int = 0
    audited_online: int = 0
    reviewed_offline: int = 0

    def fail(self, line: str) -> None:
        self.lines.append(line)
        self.failures += 1


def evaluate(pins: dict[str, str], report: dict, justified: dict[str, str], reviews: dict[str, Review]) -> Outcome:
    """Account for every pin with pip-audit's JSON report, the justifications and the offline reviews."""
    outcome = Outcome()
    online: set[str] = set()
    for dependency in report.get("dependencies", []):
        name = canonical(dependency["name"])
        if not dependency.get("skip_reason") and dependency.get("version") == pins.get(name):
            online.add(name)
        for vulnerability in dependency.get("vulns", []):
            ids = [vulnerability["id"], *vulnerability.get("aliases", [])]
            why = next((justified[i] for i in ids if i in justified), None)
            line = f"{name} {dependency.get('version')} {vulnerability['id']}"
            if why:
                outcome.lines.append(f"justified: {line}: {why}")
            else:
                outcome.fail(f"VULNERABLE: {line} (fixed in {vulnerability.get('fix_versions') or 'no release'})")
    for name, version in sorted(pins.items()):
        pin = f"{name}=={version}"
        if name in online:
            outcome.audited_online += 1
        elif pin in reviews:
            outcome.reviewed_offline += 1
        else:
            outcome.fail(f"NOT AUDITED: {pin} was not audited by pip-audit and has no review in {REVIEW_FILE.name}")
    for pin in sorted(set(reviews) - {f"{n}=={v}" for n, v in pins.items()}):
        outcome.fail(f"STALE REVIEW: {pin} is reviewed in {REVIEW_FILE.name} but not pinned in the lock; remove it")
    return outcome


def run_pip_audit(lock: Path) -> dict:
    """pip-audit's JSON report on the exact pins (no resolution: the lock already is the resolution)."""
    command = [sys.executable, "-m", "pip_audit", "-r", str(lock), "--no-deps", "--disable-pip",
               "-f", "json", "--progress-spinner", "off"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise ConfigError(f"pip-audit did not run: {result.stderr.strip()[-500:]}") from None


def main() -> int:
    try:
        pins = read_lock(LOCK_FILE.read_text(), LOCK_FILE.name)
        justified = read_justifications(IGNORE_FILE.read_text() if IGNORE_FILE.exists() else "", IGNORE_FILE.name)
        reviews = read_reviews(REVIEW_FILE.read_text() if REVIEW_FILE.exists() else "", REVIEW_FILE.name)
        problems = lock_problems(REQUIREMENTS_FILE.read_text(), pins)
        report = run_pip_audit(LOCK_FILE)
    except ConfigError as error:
        print(error)
        return 1
    outcome = evaluate(pins, report, justified, reviews)
    for problem in problems:
        outcome.fail(f"LOCK: {problem} (run `make lock`)")
    for line in outcome.lines:
        print(line)
    print(
        f"pip-audit: {len(pins)} pinned packages in {LOCK_FILE.name}: {outcome.audited_online} audited online, "
        f"{outcome.reviewed_offline} only reviewed offline by hand ({REVIEW_FILE.name}); "
        f"{outcome.failures} unjustified problems"
    )
    if outcome.reviewed_offline:
        oldest = min(reviews[f"{n}=={v}"].date for n, v in pins.items() if f"{n}=={v}" in reviews)
        print(
            f"An offline review is not an audit (oldest review {oldest}): run `make check` on a machine that "
            f"reaches the vulnerability services before a release (see {IGNORE_FILE.name})."
        )
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
