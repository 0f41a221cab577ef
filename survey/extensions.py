"""Unbound extension objects; the app factory binds each one with init_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that later migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _client_address() -> str:
    """Key rate limits by the client address, held only in the limiter's counters, never stored."""
    from .unproxied import this_request

    return this_request().remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=_client_address, default_limits=[])
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@limiter.request_filter
def _reads_are_not_limited() -> bool:
    """Every rate limit of this app is on a POST (participant answers, coordinator login).

    Flask-Limiter otherwise works out, for every request, which limits apply (about a tenth of a
    blank form's CPU, measured), only to find none on a page view; rate_limits.skip_page_views keeps
    its request hooks off page views altogether, by the same rule. A limit on a GET would need both
    changed; tests/test_rate_limits.py checks that every declared limit is POST-only.
    """
    from .unproxied import this_request

    return this_request().method in READ_ONLY_METHODS
