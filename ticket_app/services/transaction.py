"""One transaction per service call, and the one place where database errors become the
service's own errors.

Every service runs its queries inside `transaction()`: committed when the block ends, rolled
back on any error, so nothing is ever half-written, and the connection goes back to the pool
either way. Whatever the database or the pool raises leaves as a `ServiceError`, which the
REST API answers with a problem (400 or 503 with Retry-After) and the UI with a message:

- values the database refuses (a constraint, a value out of range): `InvalidInput`;
- no answer in time (a statement over its time limit, no free connection in the pool before
  the pool timeout, a lock not granted in time): `DatabaseBusy`;
- no database (refused, lost, misconfigured connection) and anything else the database
  raises: `DatabaseUnavailable`; errors that look like bugs are logged with their trace.

Writes that first read what they change (history needs the old values) ask for
`write=True`: on SQLite that takes the write lock at BEGIN, so no other writer slips in
between the read and the write (PostgreSQL gets the same from `SELECT ... FOR UPDATE`).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from ticket_app.db import WRITE_LOCK_OPTION, get_engine
from ticket_app.services.errors import DatabaseBusy, DatabaseUnavailable, InvalidInput

logger = logging.getLogger(__name__)

# PostgreSQL: query_canceled (statement_timeout), lock_not_available (lock_timeout).
_PG_TOO_SLOW = frozenset({"57014", "55P03"})
# SQLite: the progress handler stopped a statement over its limit; a lock not free in time.
_SQLITE_TOO_SLOW = ("interrupted", "database is locked")


def _too_slow(error: exc.DBAPIError) -> bool:
    """Whether the database gave up waiting (a time limit), rather than failed."""
    if getattr(error.orig, "pgcode", None) in _PG_TOO_SLOW:
        return True
    return str(error.orig).startswith(_SQLITE_TOO_SLOW)


@contextmanager
def transaction(engine: Engine | None = None, *, write: bool = False) -> Iterator[Connection]:
    """A connection in a transaction on `engine` (the app's by default); `write` when the
    transaction reads rows it is about to change (see the module docstring).

    Raises InvalidInput, DatabaseBusy or DatabaseUnavailable for every database error.
    """
    try:
        with (engine or get_engine()).connect() as connection:
            if write:
                connection.execution_options(**{WRITE_LOCK_OPTION: True})
            with connection.begin():
                yield connection
    except (exc.IntegrityError, exc.DataError):
        raise InvalidInput.single("body", "the database refused the values") from None
    except exc.TimeoutError as error:  # the pool had no connection to give in time
        raise DatabaseBusy() from error
    except exc.DBAPIError as error:
        if _too_slow(error):
            raise DatabaseBusy() from error
        if not isinstance(error, exc.OperationalError | exc.InterfaceError):
            logger.exception("unexpected database error")
        raise DatabaseUnavailable() from error
    except exc.SQLAlchemyError as error:
        logger.exception("unexpected database error")
        raise DatabaseUnavailable() from error
