"""Audit the pinned runtime dependencies (requirements.lock) and fail on anything not accounted for.

Every pin in requirements.lock is accounted for by the first of these routes that applies:
  1. pip-audit audited it (its default PyPI service asks https://pypi.org/pypi/<name>/<version>/json). On a
     connected machine this route audits every pin by itself.
  2. Online through PyPI's project JSON, https://pypi.org/pypi/<name>/json, when the pinned version IS the
     project's latest release (`info.version`, compared as packaging versions, so `1.0` equals `1.0.0`). That
     document describes the latest release, and its `vulnerabilities` list is PyPI's advisory list for that
     release: the very data pip-audit reads from the version endpoint, so for such a pin it applies exactly.
     Withdrawn entries are skipped, as pip-audit does. A pin older than the latest release is not audited by
     this route (the list says nothing about other versions), nor is one whose project JSON cannot be fetched
     (network error, ~20 s timeout, HTTP error such as 404) or parsed (malformed JSON, no `info.name`,
     `info.version` or `vulnerabilities` list, another project's name): such a pin falls through to route 3.
     This route exists because on the build machines the version endpoint answers 404 (a restricted proxy)
     and api.osv.dev does not resolve, so pip-audit audits nothing there, while the project endpoint answers.
  3. Listed with its exact `name==version` in .ci/advisory-review.txt: a dated by-hand review against a stored
     copy of the PyPA advisory database. This is not an audit, and the summary never counts it as one.
Every vulnerability found by route 1 or 2 must be justified by its id (or an alias) in .ci/pip-audit-ignore.txt
(`<VULN-ID> <why>`; a line without a reason is refused), else the check fails (`VULNERABLE: ...`); a review line
never excuses a vulnerability. A pin that no route accounts for fails (`NOT AUDITED: ...`). The lock must also
satisfy requirements.txt (every requirement pinned, at a version its range allows).

Review lines for pins that are audited online are kept, on purpose, and are not "stale" while the pin is in the
lock: route 2 depends on PyPI answering and on the pin still being the latest release, and neither is in the
repository's hands. A new upstream release (frequent, across 43 packages) turns a pin from "latest" into "older"
with no change here, and a run without PyPI audits nothing; without the review lines either would fail
`make check` for a pin that nothing shows to be vulnerable. With them, an online run reports the online audit
(the review is not used, and the summary says so) and an offline run falls back to the reviews, just as before
this route existed. What each run relied on is in its summary. A review line for a pin that is no longer in the
lock is still STALE and fails, so a bump must replace the old line with a review of the new pin: the tests run
this check on the project files with PyPI unreachable too, so that a run without PyPI keeps passing.

Route 2 is only asked about pins route 1 did not audit, 8 requests at a time, each with a 20 s timeout (when PyPI
drops packets silently, every request waits it out: about two minutes for 43 pins; a refused connection or a
failed name lookup fails at once).
"""

from __future__ import annotations

import datetime
import http.client
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS_FILE = ROOT / "requirements.txt"
LOCK_FILE = ROOT / "requirements.lock"
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore.txt"
REVIEW_FILE = ROOT / ".ci" / "advisory-review.txt"

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.+!_-]*)$")
ADVISORY_ID = re.compile(r"\b(?:PYSEC|GHSA|CVE|OSV)-[A-Za-z0-9-]+")

PROJECT_JSON_URL = "https://pypi.org/pypi/{name}/json"  # the project endpoint: describes the latest release
FETCH_TIMEOUT = 20  # seconds, per request (connect, and each read)
PARALLEL_FETCHES = 8
# What a failed fetch raises: URLError/HTTPError (404...), timeouts and resets are OSError; a broken body is
# an http.client.HTTPException; JSON that does not decode is a ValueError.
FETCH_ERRORS = (OSError, ValueError, http.client.HTTPException)


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


@dataclass(frozen=True)
class Vulnerability:
    id: str
    aliases: tuple[str, ...]
    fixed_in: tuple[str, ...]


@dataclass(frozen=True)
class ProjectAudit:
    """What PyPI's project JSON says about one pin: `vulns` when the pin is the latest release (audited), else
    None and `reason`, why this route did not audit it."""

    vulns: tuple[Vulnerability, ...] | None
    reason: str = ""
    withdrawn: tuple[str, ...] = ()


Fetch = Callable[[str], object]  # canonical project name -> the decoded JSON of PROJECT_JSON_URL; raises on failure


def fetch_project_json(name: str) -> object:
    """PyPI's project JSON for `name` (standard library only: no dependency beyond the check's own)."""
    request = urllib.request.Request(  # noqa: S310 (a constant https:// URL)
        PROJECT_JSON_URL.format(name=urllib.parse.quote(name)),
        headers={"Accept": "application/json", "User-Agent": "survey-supply-chain-check"},
    )
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 (same URL)
        return json.load(response)


def read_project_json(name: str, version: str, data: object) -> ProjectAudit:
    """The pin's vulnerabilities if `data` is the project JSON of `name` and `version` is its latest release."""
    from packaging.version import InvalidVersion, Version

    malformed = ProjectAudit(None, "malformed project JSON")
    info = data.get("info") if isinstance(data, dict) else None
    items = data.get("vulnerabilities") if isinstance(data, dict) else None
    if not (isinstance(info, dict) and isinstance(info.get("name"), str) and isinstance(info.get("version"), str)):
        return ProjectAudit(None, "malformed project JSON (no info.name or info.version)")
    if not isinstance(items, list):
        return ProjectAudit(None, "malformed project JSON (no vulnerabilities list)")
    if canonical(info["name"]) != name:
        return ProjectAudit(None, f"the project JSON describes {info['name']}, not {name}")
    latest = info["version"]
    try:
        is_latest = Version(latest) == Version(version)
    except InvalidVersion:
        return ProjectAudit(None, f"versions {latest!r} and {version!r} cannot be compared")
    if not is_latest:
        # The latest release's open advisories may well reach back to the pin: name them for the reviewer.
        listed = [item["id"] for item in items if isinstance(item, dict) and item.get("withdrawn") is None]
        also = f" (it lists {', '.join(map(str, listed))}: check whether they affect {version})" if listed else ""
        return ProjectAudit(
            None, f"PyPI's latest release is {latest}{also}; its advisory list says nothing certain about {version}"
        )
    vulns, withdrawn = [], []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            return malformed
        aliases, fixed = item.get("aliases") or [], item.get("fixed_in") or []
        if not (isinstance(aliases, list) and isinstance(fixed, list) and all(isinstance(a, str) for a in aliases)):
            return malformed
        if item.get("withdrawn") is not None:
            withdrawn.append(item["id"])
        else:
            vulns.append(Vulnerability(item["id"], tuple(aliases), tuple(str(f) for f in fixed)))
    return ProjectAudit(tuple(vulns), withdrawn=tuple(withdrawn))


def audit_latest_releases(pins: dict[str, str], fetch: Fetch) -> dict[str, ProjectAudit]:
    """Route 2 for these pins: their project JSON, fetched a few at a time; a failed fetch audits nothing."""

    def one(name: str) -> ProjectAudit:
        try:
            data = fetch(name)
        except FETCH_ERRORS as error:
            return ProjectAudit(None, f"project JSON not fetched ({error})")
        return read_project_json(name, pins[name], data)

    names = sorted(pins)
    with ThreadPoolExecutor(max_workers=PARALLEL_FETCHES) as pool:
        return dict(zip(names, pool.map(one, names), strict=True))


@dataclass
class Outcome:
    lines: list[str] = field(default_factory=list)
    failures: int = 0
    audited_by_pip_audit: int = 0
    audited_through_pypi: int = 0  # PyPI's project JSON, pin = latest release
    reviewed_offline: int = 0
    reviews_used: list[Review] = field(default_factory=list)
    reviews_not_needed: int = 0  # review lines of pins audited online in this run

    def fail(self, line: str) -> None:
        self.lines.append(line)
        self.failures += 1

    def account(self, line: str, ids: list[str], fixed: object, justified: dict[str, str]) -> None:
        """One vulnerability found online: accepted only when its id or an alias is justified."""
        why = next((justified[i] for i in ids if i in justified), None)
        if why:
            self.lines.append(f"justified: {line}: {why}")
        else:
            self.fail(f"VULNERABLE: {line} (fixed in {fixed or 'no release'})")


def evaluate(
    pins: dict[str, str],
    report: dict,
    justified: dict[str, str],
    reviews: dict[str, Review],
    fetch: Fetch | None = None,
) -> Outcome:
    """Account for every pin with pip-audit's JSON report, then (when `fetch` is given) PyPI's project JSON for
    the pins pip-audit did not audit, then the offline reviews; vulnerabilities need a justification."""
    outcome = Outcome()
    by_pip_audit: set[str] = set()
    for dependency in report.get("dependencies", []):
        name = canonical(dependency["name"])
        if not dependency.get("skip_reason") and dependency.get("version") == pins.get(name):
            by_pip_audit.add(name)
        for vulnerability in dependency.get("vulns", []):
            outcome.account(
                f"{name} {dependency.get('version')} {vulnerability['id']}",
                [vulnerability["id"], *vulnerability.get("aliases", [])],
                vulnerability.get("fix_versions"),
                justified,
            )
    rest = {name: version for name, version in pins.items() if name not in by_pip_audit}
    online = audit_latest_releases(rest, fetch) if fetch and rest else {}
    for name, version in sorted(pins.items()):
        pin = f"{name}=={version}"
        project = online.get(name)
        if name in by_pip_audit:
            outcome.audited_by_pip_audit += 1
        elif project and project.vulns is not None:
            outcome.audited_through_pypi += 1
            for vulnerability in project.vulns:
                outcome.account(
                    f"{name} {version} {vulnerability.id} (PyPI project JSON)",
                    [vulnerability.id, *vulnerability.aliases],
                    ", ".join(vulnerability.fixed_in),
                    justified,
                )
            for withdrawn in project.withdrawn:
                outcome.lines.append(f"withdrawn, not applied: {name} {version} {withdrawn} (PyPI project JSON)")
        elif pin in reviews:
            outcome.reviewed_offline += 1
            outcome.reviews_used.append(reviews[pin])
            if project:
                outcome.lines.append(f"not audited online: {pin}: {project.reason}; accepted on its offline review")
        else:
            why = f" ({project.reason})" if project else ""
            outcome.fail(f"NOT AUDITED: {pin} was not audited{why} and has no review in {REVIEW_FILE.name}")
        if pin in reviews and (name in by_pip_audit or (project and project.vulns is not None)):
            outcome.reviews_not_needed += 1
    for pin in sorted(set(reviews) - {f"{n}=={v}" for n, v in pins.items()}):
        outcome.fail(f"STALE REVIEW: {pin} is reviewed in {REVIEW_FILE.name} but not pinned in the lock; remove it")
    return outcome


def summary(pins: dict[str, str], outcome: Outcome) -> list[str]:
    """The closing lines: what each pin's acceptance rests on, counted honestly."""
    lines = [
        f"supply chain: {len(pins)} pinned packages in {LOCK_FILE.name}: {outcome.audited_by_pip_audit} audited "
        f"by pip-audit, {outcome.audited_through_pypi} audited online through PyPI's project JSON (latest "
        f"release), {outcome.reviewed_offline} only reviewed offline by hand ({REVIEW_FILE.name}); "
        f"{outcome.failures} unjustified problems"
    ]
    if outcome.reviews_not_needed:
        lines.append(
            f"{outcome.reviews_not_needed} review lines of {REVIEW_FILE.name} were not used (their pins were "
            f"audited online); they stay as the fallback for a run without PyPI or after a new upstream release."
        )
    if outcome.reviews_used:
        oldest = min(review.date for review in outcome.reviews_used)
        lines.append(
            f"An offline review is not an audit (oldest review relied on {oldest}): run `make check` on a machine "
            f"where pip-audit reaches its vulnerability service before a release (see {IGNORE_FILE.name})."
        )
    return lines


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
    outcome = evaluate(pins, report, justified, reviews, fetch_project_json)
    for problem in problems:
        outcome.fail(f"LOCK: {problem} (run `make lock`)")
    for line in [*outcome.lines, *summary(pins, outcome)]:
        print(line)
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
