"""Exit 0 when the PostgreSQL URL given as the first argument answers, 1 otherwise."""

import sys

import sqlalchemy

try:
    with sqlalchemy.create_engine(sys.argv[1]).connect() as conn:
        conn.execute(sqlalchemy.text("SELECT 1"))
except Exception:  # any failure means "not available"
    sys.exit(1)
