"""The supply-chain check's logic (.ci/pip_audit_check.py), without pip-audit or the network.

The check is imported by path; its pip-audit run is replaced by hand-written JSON reports shaped like
`pip-audit -f json` output (a skipped package has `skip_reason`, an audited one `version` and `vulns`).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_check():
    spec = importlib.util.spec_from_file_location("pip_audit_check", ROOT / ".ci" / "pip_audit_check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is created
    spec.loader.exec_module(module)
    return module


check = _load_check()

LOCK = "# header\nFlask==3.1.3\nJinja2==3.1.6\n"
REVIEWS = (
    "flask==3.1.3 2026-11-26 pypa/advisory-database PYSEC-2023-62 (fixed 2.3.2): range ends below 3.1.3\n"
    "jinja2==3.1.6 2026-11-26 pypa/advisory-database none (no advisory in range)\n"
)


def skipped(*pins: str) -> dict:
    """A report in which pip-audit could not audit anything (the offline case)."""
    return {
        "dependencies": [
            {"name": pin.split("==")[0].lower(), "skip_reason": f"Dependency not found on PyPI: {pin}"} for pin in pins
        ]
    }


def outcome(lock: str = LOCK, report: dict | None = None, ignore: str = "", reviews: str = REVIEWS):
    return check.evaluate(
        check.read_lock(lock),
        skipped("Flask==3.1.3", "Jinja2==3.1.6") if report is None else report,
        check.read_justifications(ignore),
        check.read_reviews(reviews),
    )


def test_every_listed_pin_passes_offline_and_is_counted_as_reviewed_not_audited():
    result = outcome()
    assert result.failures == 0
    assert (result.audited_online, result.reviewed_offline) == (0, 2)


def test_a_pin_missing_from_the_review_fails():
    result = outcome(reviews=REVIEWS.splitlines()[0] + "\n")
    assert result.failures == 1
    assert any(line.startswith("NOT AUDITED: jinja2==3.1.6") for line in result.lines)


def test_a_bumped_pin_without_a_new_review_fails_and_the_old_review_is_stale():
    result = outcome(lock=LOCK.replace("Flask==3.1.3", "Flask==3.1.4"))
    assert result.failures == 2
    assert any(line.startswith("NOT AUDITED: flask==3.1.4") for line in result.lines)
    assert any(line.startswith("STALE REVIEW: flask==3.1.3") for line in result.lines)


def test_names_are_compared_normalised():
    lock = "ruamel.yaml==0.19.1\ntyping_extensions==4.16.0\n"
    reviews = (
        "ruamel-yaml==0.19.1 2026-11-26 pypa/advisory-database none\n"
        "Typing-Extensions==4.16.0 2026-11-26 pypa/advisory-database none\n"
    )
    result = outcome(lock=lock, report=skipped("ruamel.yaml==0.19.1", "typing_extensions==4.16.0"), reviews=reviews)
    assert result.failures == 0 and result.reviewed_offline == 2


def audited(vulns: list[dict]) -> dict:
    return {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": vulns},
            {"name": "jinja2", "version": "3.1.6", "vulns": []},
        ]
    }


VULN = {"id": "PYSEC-2099-1", "aliases": ["GHSA-aaaa-bbbb-cccc"], "fix_versions": ["3.1.4"]}


def test_packages_audited_online_need_no_review():
    result = outcome(report=audited([]), reviews="")
    assert result.failures == 0
    assert (result.audited_online, result.reviewed_offline) == (2, 0)


def test_a_vulnerability_without_justification_fails_even_when_the_pin_is_reviewed():
    result = outcome(report=audited([VULN]))
    assert result.failures == 1
    assert any(line.startswith("VULNERABLE: flask 3.1.3 PYSEC-2099-1") for line in result.lines)


def test_a_vulnerability_is_accepted_when_justified_by_its_id_or_an_alias():
    for key in ("PYSEC-2099-1", "GHSA-aaaa-bbbb-cccc"):
        result = outcome(report=audited([VULN]), ignore=f"{key} only the debug server is affected\n")
        assert result.failures == 0
        assert any(line.startswith("justified: flask 3.1.3 PYSEC-2099-1") for line in result.lines)


def test_an_online_report_for_another_version_does_not_count_as_audited():
    report = {"dependencies": [{"name": "flask", "version": "3.0.0", "vulns": []}]}
    result = outcome(report=report, reviews="")
    assert result.audited_online == 0 and result.failures == 2


def test_a_justification_without_a_reason_is_refused():
    with pytest.raises(check.ConfigError, match="no justification"):
        check.read_justifications("# comment\nPYSEC-2099-1\n")


def test_the_blanket_unaudited_acceptance_is_refused():
    with pytest.raises(check.ConfigError, match="no longer accepted"):
        check.read_justifications("unaudited:* services unreachable\n")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("flask==3.1.3 2026-11-26 pypa/advisory-database", "expected"),
        ("flask>=3.1 2026-11-26 pypa/advisory-database none", "exact pin"),
        ("flask==3.1.3 yesterday pypa/advisory-database none", "date"),
        ("flask==3.1.3 2026-11-26 pypa/advisory-database PYSEC-2023-62", "why none affects"),
        ("flask==3.1.3 2026-11-26 pypa/advisory-database looked at it", "why none affects"),
    ],
)
def test_a_review_line_must_name_pin_date_source_and_advisories_with_reasons(line, message):
    with pytest.raises(check.ConfigError, match=message):
        check.read_reviews(line + "\n")


def test_the_lock_accepts_exact_pins_only():
    with pytest.raises(check.ConfigError, match="exact pin"):
        check.read_lock("flask>=3.1\n")


def test_the_lock_must_pin_every_requirement_within_its_range():
    pins = check.read_lock("Flask==3.1.3\n")
    assert check.lock_problems("Flask>=3.1,<3.2  # why\n", pins) == []
    assert "outside" in check.lock_problems("Flask>=3.2\n", pins)[0]
    assert "not pinned" in check.lock_problems("Flask>=3.1\nredis>=5\n", pins)[0]


def test_the_project_files_agree():
    """requirements.lock pins every requirement in range (psycopg's binary extra included); the review and
    ignore files parse, and every review names a pin of the lock (`make check` also wants every pin reviewed
    while pip-audit cannot reach its services)."""
    pins = check.read_lock(check.LOCK_FILE.read_text())
    assert check.lock_problems(check.REQUIREMENTS_FILE.read_text(), pins) == []
    assert pins["psycopg-binary"] == pins["psycopg"]
    reviews = check.read_reviews(check.REVIEW_FILE.read_text())
    assert set(reviews) <= {f"{name}=={version}" for name, version in pins.items()}
    check.read_justifications(check.IGNORE_FILE.read_text())
