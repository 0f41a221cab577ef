"""SQLAlchemy 2 typed models. Responses, answers and scores are append-only.

Participants have no identity columns at all: no IP, no user agent, no exact time
(tests/test_privacy.py asserts it). A response carries its meeting and the hour bucket only.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy import (
    false as sa_false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

if TYPE_CHECKING:  # mypy cannot see Flask-SQLAlchemy's dynamic db.Model; it is a subclass of Base
    from .extensions import Base as Model
else:
    Model = db.Model


def now_utc() -> dt.datetime:
    """Return the current time in UTC (a callable default, evaluated per row)."""
    return dt.datetime.now(dt.UTC)


class InstrumentVersion(Model):
    """The full definition of one instrument version, stored the first time it is used."""

    __tablename__ = "instrument_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(64), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_used_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)


class InstrumentUpload(Model):
    """An instrument file an admin uploaded in the browser; append-only, the latest row per id is served.

    The highest id is the uploads' version: every app server compares it with the one it loaded
    (catalog.py) and reloads when it grew, so an upload is served everywhere without a restart.
    """

    __tablename__ = "instrument_uploads"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)


class Group(Model):
    """A peer-support group with a public code for its QR link."""

    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    default_locale: Mapped[str] = mapped_column(String(8), default="en")
    # True: participant pages open in default_locale whatever the phone's language (the switch still works).
    single_language: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    instruments: Mapped[list[GroupInstrument]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupInstrument.position"
    )
    meetings: Mapped[list[Meeting]] = relationship(back_populates="group")
    schedule: Mapped[list[MeetingSchedule]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="MeetingSchedule.id"
    )

    @property
    def instrument_ids(self) -> list[str]:
        """The instrument ids this group asks, in order."""
        return [gi.instrument_id for gi in self.instruments]


class GroupInstrument(Model):
    """One instrument a group asks after its meetings."""

    __tablename__ = "group_instruments"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    group: Mapped[Group] = relationship(back_populates="instruments")


class MeetingSchedule(Model):
    """One line of a group's schedule: weekly or fortnightly (weekday, time) or one-off (date, time).

    survey/schedules.py says what each kind meets on; a fortnightly line's on_date is one of its dates.
    """

    __tablename__ = "meeting_schedules"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # weekly | fortnightly | once
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday
    starts_at: Mapped[dt.time] = mapped_column(Time)
    on_date: Mapped[dt.date | None] = mapped_column(Date)
    group: Mapped[Group] = relationship(back_populates="schedule")


class Meeting(Model):
    """One occurrence of a group on a local date; responses belong to a meeting."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("group_id", "local_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    local_date: Mapped[dt.date] = mapped_column(Date)
    starts_at: Mapped[dt.time | None] = mapped_column(Time)
    group: Mapped[Group] = relationship(back_populates="meetings")


class Response(Model):
    """One submitted questionnaire; group and meeting date are copied here for indexed aggregates."""

    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_group_date", "group_id", "meeting_date"),
        # Dashboards: one group's answers to one instrument, grouped by meeting and language (d0002).
        Index("ix_responses_group_version_date", "group_id", "instrument_version_id", "meeting_date", "locale"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    meeting_date: Mapped[dt.date] = mapped_column(Date)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8))
    # The hour bucket only (UTC, minutes and seconds zeroed): never a precise personal timestamp.
    submitted_hour: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    participant_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Shared by the responses of one sending of the form (a digest of its nonce), so dashboards count
    # people, not questionnaires. Only ever counted in SQL: never exported, logged or shown.
    submission: Mapped[str | None] = mapped_column(String(32))
    # A digest of exactly what the submission stored (answers per questionnaire, code hash), shared by its
    # responses: a resent form is recognised by it inside the write (submissions.store_submission).
    fingerprint: Mapped[str | None] = mapped_column(String(24))
    # The ids of the alerts the answers raised, fixed at submission like the scores (a JSON list), so the
    # thank-you page recomputes nothing. NULL for responses stored before they were kept.
    alerts: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    scores: Mapped[list[Score]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    instrument_version: Mapped[InstrumentVersion] = relationship()


class Answer(Model):
    """One item's value: numbers in value_num, text and choices in value_text."""

    __tablename__ = "answers"
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value_num: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)


class Score(Model):
    """One scale's score for one response, computed at submission from the version answered."""

    __tablename__ = "scores"
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    scale_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(64))


class User(UserMixin, Model):
    """A coordinator or admin account."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="coordinator")  # admin | coordinator
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or disable, so open sessions end (checked by the login loader).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # The interface language the account chose; None follows the browser's languages.
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        """Disabled accounts cannot log in and their sessions end (Flask-Login reads this)."""
        return self.is_active_account

    def get_id(self) -> str:
        """Session id that changes with session_version, so a bump logs out every open session."""
        return f"{self.id}:{self.session_version}"


class Membership(Model):
    """A coordinator's access to one group: manager (changes) or viewer (reads)."""

    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    access: Mapped[str] = mapped_column(String(16), default="manager")  # manager | viewer
    user: Mapped[User] = relationship(back_populates="memberships")
    group: Mapped[Group] = relationship()


class AuditEvent(Model):
    """Who did what and when: logins, user and group changes, exports, deletions."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(254), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class ReleaseBatch(Model):
    """Answers of one meeting in one language released together: the leaf cell every published figure pools.

    The first batch of a meeting is released when its answer window and the grace period have
    closed; later ones only once at least k late answers wait, so no figure moves by fewer.
    A purge keeps the row (with its n) so the privacy audit still knows what was once shown.
    """

    __tablename__ = "release_batches"
    __table_args__ = (UniqueConstraint("meeting_id", "locale", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    meeting_date: Mapped[dt.date] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    k: Mapped[int] = mapped_column(Integer)
    purged: Mapped[bool] = mapped_column(Boolean, default=False)
    released_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)


class ReleasedResponse(Model):
    """Which batch released a response (its primary key makes releasing one response twice impossible)."""

    __tablename__ = "released_responses"
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("release_batches.id", ondelete="CASCADE"), index=True)


class RollupCell(Model):
    """One measure of one batch, written once at release: n, sums and sums of squares, or answer counts.

    measure is "people", "people:<instrument>", "scale:<instrument>:<scale>" or "item:<instrument>:<item>".
    """

    __tablename__ = "rollup_cells"
    batch_id: Mapped[int] = mapped_column(ForeignKey("release_batches.id", ondelete="CASCADE"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(160), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    total: Mapped[float | None] = mapped_column(Float)
    total_sq: Mapped[float | None] = mapped_column(Float)
    counts: Mapped[dict[str, int] | None] = mapped_column(JSON)


class PublishedCell(Model):
    """The stored audit decision for one dashboard cell: shown (with its figures) or hidden (with why)."""

    __tablename__ = "published_cells"
    __table_args__ = (Index("ix_published_cells_cell", "group_id", "measure", "locale", "grain", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(160))
    grain: Mapped[str] = mapped_column(String(8))
    period: Mapped[dt.date | None] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(8))
    n: Mapped[int] = mapped_column(Integer)
    hidden_because: Mapped[str | None] = mapped_column(String(16))
    total: Mapped[float | None] = mapped_column(Float)
    total_sq: Mapped[float | None] = mapped_column(Float)
    counts: Mapped[dict[str, int] | None] = mapped_column(JSON)


class PublishedSummary(Model):
    """A group statistic over all its released answers that is no cell, computed when its cells are published.

    name is "versions" (the instrument version ids answered), "alpha:<instrument>:<scale>" (n and the sums
    Cronbach's alpha needs),
    "change:<instrument>:<scale>" (first and latest score per linked participant), "meetings"
    (people per held meeting) or "returning" (participant codes per month and how many came back);
    survey/release/summaries.py writes and reads them.
    """

    __tablename__ = "published_summaries"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(160), primary_key=True)
    value: Mapped[list[Any]] = mapped_column(JSON)


class StoredView(Model):
    """A default dashboard view as a request would keep it (survey/dashboard/memo.py), stored at publication.

    digest is the SHA-256 of the memo key (publication stamp, questionnaires, settings, uploads version,
    address, language, view); kind says how body reads back: "bytes" (a JSON body), "markup" (a page's
    results) or "pieces" (a page's frame, as a JSON list of texts and slots). Every publication of the
    group deletes its rows in its own write transaction; survey/release/stored_views.py reads and writes them.
    """

    __tablename__ = "stored_views"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)


class DisclosureLedger(Model):
    """Every set of batches a group's figures ever showed, or ever had to protect, per measure.

    Published figures cannot be taken back: the audit treats every vector ever shown as known
    to an attacker with old snapshots, and keeps protecting every vector once hidden as small.
    """

    __tablename__ = "disclosure_ledger"
    __table_args__ = (UniqueConstraint("group_id", "measure", "kind", "digest"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(9))  # shown | protected
    digest: Mapped[str] = mapped_column(String(64))
    batches: Mapped[str] = mapped_column(Text)  # sorted batch ids, comma-separated


class ReleaseState(Model):
    """Per group: the k its published figures were audited with, and the highest k ever published with."""

    __tablename__ = "release_states"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    k: Mapped[int] = mapped_column(Integer)
    max_k: Mapped[int] = mapped_column(Integer)
    audited_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
