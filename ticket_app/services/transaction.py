"""One transaction per service call, with every database failure turned into a service error.

Committed on success and rolled back on any error, so nothing is ever half-written. Values the
database refuses become InvalidInput; an unreachable database becomes DatabaseUnavailable.
Writes that first read what they change (history needs the old values) ask for `write=True`:
on SQLite that takes the write lock at BEGIN, so no other writer slips in between the read and
the write (PostgreSQL gets the same from `SELECT ... FOR UPDATE`).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError

from ticket_app.db import WRITE_LOCK_OPTION, get_engine
from ticket_app.services.errors import DatabaseUnavailable, InvalidInput


@contextmanager
def transaction(write: bool = False) -> Iterator[Connection]:
    """A connection inside one transaction; see the module docstring."""
    try:
        with get_engine().connect() as connection:
            if write:
                connection.execution_options(**{WRITE_LOCK_OPTION: True})
            with connection.begin():
                yield connection
    except (IntegrityError, DataError):
        raise InvalidInput.single("body", "the database refused the values") from None
    except (OperationalError, InterfaceError) as error:
        raise DatabaseUnavailable() from error
