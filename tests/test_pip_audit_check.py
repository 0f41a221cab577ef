"""The supply-chain check's logic (.ci/pip_audit_check.py), without pip-audit or the network.

The check is imported by path; its pip-audit run is replaced by hand-written JSON reports shaped like
`pip-audit -f json` output (a skipped package has `skip_reason`, an audited one `version` and `vulns`), and
PyPI's project JSON by a fake fetcher answering hand-written documents shaped like
https://pypi.org/pypi/<name>/json (`info.name`, `info.version`, `vulnerabilities`) or raising what urllib raises.
"""

from __future__ import annotations

import http.client
import importlib.util
import io
import json
import sys
import urllib.error
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


def outcome(lock: str = LOCK, report: dict | None = None, ignore: str = "", reviews: str = REVIEWS, fetch=None):
    return check.evaluate(
        check.read_lock(lock),
        skipped("Flask==3.1.3", "Jinja2==3.1.6") if report is None else report,
        check.read_justifications(ignore),
        check.read_reviews(reviews),
        fetch,
    )


def counts(result) -> tuple[int, int, int]:
    """(audited by pip-audit, audited online through PyPI's project JSON, only reviewed offline)"""
    return result.audited_by_pip_audit, result.audited_through_pypi, result.reviewed_offline


def test_every_listed_pin_passes_offline_and_is_counted_as_reviewed_not_audited():
    result = outcome()
    assert result.failures == 0
    assert counts(result) == (0, 0, 2)


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


def test_packages_audited_by_pip_audit_need_no_review():
    result = outcome(report=audited([]), reviews="")
    assert result.failures == 0
    assert counts(result) == (2, 0, 0)


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
    assert result.audited_by_pip_audit == 0 and result.failures == 2


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


# Route 2: PyPI's project JSON, for pins pip-audit could not audit.


def project(name: str, latest: str, *vulns: dict) -> dict:
    """PyPI's project JSON, reduced to what the check reads: it describes the latest release."""
    return {"info": {"name": name, "version": latest}, "vulnerabilities": list(vulns)}


class FakePyPI:
    """A fetcher answering from a dict (canonical name -> document, or an exception to raise)."""

    def __init__(self, answers: dict):
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, name: str):
        self.asked.append(name)
        answer = self.answers[name]
        if isinstance(answer, BaseException):
            raise answer
        return answer


LATEST = {"flask": project("Flask", "3.1.3"), "jinja2": project("Jinja2", "3.1.6")}
PYPI_VULN = {
    "id": "PYSEC-2099-1",
    "aliases": ["GHSA-aaaa-bbbb-cccc", "CVE-2099-0001"],
    "fixed_in": ["3.1.4"],
    "withdrawn": None,
    "details": "The debug server ...",
    "link": "https://osv.dev/vulnerability/PYSEC-2099-1",
}


def test_a_latest_release_pin_without_vulnerabilities_is_audited_online_and_needs_no_review():
    fetch = FakePyPI(LATEST)
    result = outcome(reviews="", fetch=fetch)
    assert result.failures == 0
    assert counts(result) == (0, 2, 0)
    assert sorted(fetch.asked) == ["flask", "jinja2"]


def test_pip_audit_stays_the_first_route_and_pypi_is_asked_only_about_the_rest():
    report = {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {"name": "jinja2", "skip_reason": "Dependency not found on PyPI: jinja2 (3.1.6)"},
        ]
    }
    fetch = FakePyPI({"jinja2": project("Jinja2", "3.1.6")})  # a question about flask would raise KeyError
    result = outcome(report=report, reviews="", fetch=fetch)
    assert result.failures == 0
    assert counts(result) == (1, 1, 0)
    assert fetch.asked == ["jinja2"]


def test_a_vulnerability_of_the_latest_release_fails_even_when_the_pin_is_reviewed():
    fetch = FakePyPI({**LATEST, "flask": project("Flask", "3.1.3", PYPI_VULN)})
    for reviews in ("", REVIEWS):
        result = outcome(reviews=reviews, fetch=fetch, ignore="GHSA-zzzz-zzzz-zzzz another advisory\n")
        assert result.failures == 1
        assert counts(result) == (0, 2, 0)
        assert [line for line in result.lines if line.startswith("VULNERABLE")] == [
            "VULNERABLE: flask 3.1.3 PYSEC-2099-1 (PyPI project JSON) (fixed in 3.1.4)"
        ]


@pytest.mark.parametrize("key", ["PYSEC-2099-1", "GHSA-aaaa-bbbb-cccc", "CVE-2099-0001"])
def test_a_vulnerability_of_the_latest_release_is_accepted_when_justified_by_its_id_or_an_alias(key):
    fetch = FakePyPI({**LATEST, "flask": project("Flask", "3.1.3", PYPI_VULN)})
    result = outcome(reviews="", fetch=fetch, ignore=f"{key} only the debug server is affected\n")
    assert result.failures == 0
    assert counts(result) == (0, 2, 0)
    assert "justified: flask 3.1.3 PYSEC-2099-1 (PyPI project JSON): only the debug server is affected" in result.lines


def test_a_withdrawn_vulnerability_is_not_applied():
    withdrawn = {**PYPI_VULN, "withdrawn": "2099-02-01T00:00:00Z"}
    result = outcome(reviews="", fetch=FakePyPI({**LATEST, "flask": project("Flask", "3.1.3", withdrawn)}))
    assert result.failures == 0
    assert counts(result) == (0, 2, 0)
    assert "withdrawn, not applied: flask 3.1.3 PYSEC-2099-1 (PyPI project JSON)" in result.lines


def test_a_pin_older_than_the_latest_release_is_not_audited_online_and_needs_its_review():
    fetch = FakePyPI({**LATEST, "flask": project("Flask", "3.2.0")})
    result = outcome(reviews="", fetch=fetch)
    assert result.failures == 1
    assert counts(result) == (0, 1, 0)
    assert any(
        line.startswith("NOT AUDITED: flask==3.1.3") and "latest release is 3.2.0" in line for line in result.lines
    )

    result = outcome(reviews=REVIEWS, fetch=fetch)
    assert result.failures == 0
    assert counts(result) == (0, 1, 1)
    assert any(line.startswith("not audited online: flask==3.1.3: PyPI's latest") for line in result.lines)


def test_advisories_of_a_newer_latest_release_are_named_for_the_reviewer_of_an_older_pin():
    fetch = FakePyPI({**LATEST, "flask": project("Flask", "3.2.0", PYPI_VULN)})
    result = outcome(reviews=REVIEWS, fetch=fetch)
    assert result.failures == 0  # the pin still rests on its review line, which its reviewer must keep true
    assert any(
        line.startswith("not audited online: flask==3.1.3: PyPI's latest release is 3.2.0 (it lists PYSEC-2099-1:")
        for line in result.lines
    )


@pytest.mark.parametrize(
    "answer",
    [
        urllib.error.HTTPError("https://pypi.org/pypi/flask/json", 404, "Not Found", None, None),
        urllib.error.URLError("[Errno -2] Name or service not known"),
        TimeoutError("The read operation timed out"),
        ConnectionResetError(104, "Connection reset by peer"),
        http.client.IncompleteRead(b"{"),
        json.JSONDecodeError("Expecting value", "<html>", 0),
        {},
        [],
        {"info": {"name": "Flask", "version": "3.1.3"}},  # no vulnerabilities list: not "no vulnerabilities"
        {"info": {"name": "Flask"}, "vulnerabilities": []},
        project("Flask", "not a version"),
        project("Flask-Other", "3.1.3"),
        project("Flask", "3.1.3", {"aliases": ["GHSA-aaaa-bbbb-cccc"]}),
        project("Flask", "3.1.3", {"id": "PYSEC-2099-1", "aliases": "GHSA-aaaa-bbbb-cccc"}),
    ],
    ids=repr,
)
def test_a_failed_fetch_or_an_unreadable_answer_falls_back_to_the_review(answer):
    fetch = FakePyPI({**LATEST, "flask": answer})
    result = outcome(fetch=fetch)
    assert result.failures == 0
    assert counts(result) == (0, 1, 1)
    assert any(line.startswith("not audited online: flask==3.1.3: ") for line in result.lines)

    result = outcome(reviews=REVIEWS.splitlines()[1] + "\n", fetch=fetch)
    assert result.failures == 1
    assert counts(result) == (0, 1, 0)
    assert any(line.startswith("NOT AUDITED: flask==3.1.3 was not audited (") for line in result.lines)


@pytest.mark.parametrize(
    ("pinned", "latest", "audited"),
    [("1.0", "1.0.0", True), ("1.0.0", "1.0", True), ("2.0.0rc1", "2.0.0-RC1", True), ("1.0", "1.0.post1", False)],
)
def test_the_pinned_and_latest_versions_are_compared_normalised(pinned, latest, audited):
    result = outcome(
        lock=f"Flask_Babel=={pinned}\n",
        report=skipped(f"flask-babel=={pinned}"),
        reviews="",
        fetch=FakePyPI({"flask-babel": project("flask-babel", latest)}),
    )
    assert counts(result) == (0, 1 if audited else 0, 0)
    assert result.failures == (0 if audited else 1)
    if not audited:
        assert result.lines == [
            f"NOT AUDITED: flask-babel=={pinned} was not audited (PyPI's latest release is {latest}; its advisory "
            f"list says nothing certain about {pinned}) and has no review in advisory-review.txt"
        ]


def test_a_review_line_of_a_pin_audited_online_is_kept_unused_and_not_stale():
    result = outcome(reviews=REVIEWS, fetch=FakePyPI(LATEST))
    assert result.failures == 0
    assert counts(result) == (0, 2, 0)
    assert (result.reviews_used, result.reviews_not_needed) == ([], 2)
    assert not any(line.startswith("STALE") for line in result.lines)


def test_the_summary_counts_each_route_honestly():
    lock = "Flask==3.1.3\nJinja2==3.1.6\nDeprecated==1.3.1\nclick==8.5.1\n"
    report = {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            *skipped("Jinja2==3.1.6", "Deprecated==1.3.1", "click==8.5.1")["dependencies"],
        ]
    }
    reviews = (
        "jinja2==3.1.6 2026-01-01 pypa/advisory-database none\n"
        "deprecated==1.3.1 2026-11-20 pypa/advisory-database none\n"
    )
    fetch = FakePyPI(
        {
            "jinja2": project("Jinja2", "3.1.6"),
            "deprecated": project("Deprecated", "3.0.1"),
            "click": urllib.error.URLError("timed out"),
        }
    )
    result = outcome(lock=lock, report=report, reviews=reviews, fetch=fetch)
    assert check.summary(check.read_lock(lock), result) == [
        "supply chain: 4 pinned packages in requirements.lock: 1 audited by pip-audit, 1 audited online through "
        "PyPI's project JSON (latest release), 1 only reviewed offline by hand (advisory-review.txt); "
        "1 unjustified problems",
        "1 review lines of advisory-review.txt were not used (their pins were audited online); they stay as the "
        "fallback for a run without PyPI or after a new upstream release.",
        "An offline review is not an audit (oldest review relied on 2026-11-20): run `make check` on a machine "
        "where pip-audit reaches its vulnerability service before a release (see pip-audit-ignore.txt).",
    ]
    assert any(line.startswith("NOT AUDITED: click==8.5.1 was not audited (project JSON not") for line in result.lines)


def test_the_fetcher_asks_the_project_endpoint_with_a_timeout(monkeypatch):
    asked = []

    def urlopen(request, timeout):
        asked.append((request.full_url, timeout))
        return io.BytesIO(json.dumps(project("ruamel.yaml", "0.19.1")).encode())

    monkeypatch.setattr(check.urllib.request, "urlopen", urlopen)
    assert check.fetch_project_json("ruamel-yaml") == project("ruamel.yaml", "0.19.1")
    assert asked == [("https://pypi.org/pypi/ruamel-yaml/json", 20)]  # not /pypi/<name>/<version>/json


@pytest.mark.parametrize("pypi_answers", [True, False])
def test_the_check_passes_on_the_project_files_with_or_without_pypi(monkeypatch, capsys, pypi_answers):
    """main() on the real lock, reviews and justifications, with pip-audit auditing nothing (as on the build
    machines) and PyPI either answering every pin as its latest release or unreachable."""
    pins = check.read_lock(check.LOCK_FILE.read_text())

    def fetch(name):
        if not pypi_answers:
            raise urllib.error.URLError("[Errno -2] Name or service not known")
        return project(name, pins[name])

    monkeypatch.setattr(check, "run_pip_audit", lambda lock: skipped(*(f"{n}=={v}" for n, v in pins.items())))
    monkeypatch.setattr(check, "fetch_project_json", fetch)
    assert check.main() == 0
    out = capsys.readouterr().out
    online, offline = (len(pins), 0) if pypi_answers else (0, len(pins))
    assert (
        f"{len(pins)} pinned packages in requirements.lock: 0 audited by pip-audit, {online} audited online through "
        f"PyPI's project JSON (latest release), {offline} only reviewed offline by hand"
    ) in out
    assert out.count(": project JSON not fetched (<urlopen error") == offline
