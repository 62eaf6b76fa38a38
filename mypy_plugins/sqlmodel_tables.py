"""Teach mypy that a SQLModel class declared with `table=True` has `__table__`.

SQLAlchemy's declarative machinery sets `__table__` on such a class at run time, and the
services write their queries against it (`USERS = User.__table__`); SQLModel does not declare
it, so without this plugin every such line would need an ignore, or the check that catches a
misspelt attribute would have to be turned off for the services.
"""

from collections.abc import Callable

from mypy.nodes import NameExpr
from mypy.plugin import ClassDefContext, Plugin
from mypy.plugins.common import add_attribute_to_class

SQLMODEL = "sqlmodel.main.SQLModel"
TABLE = "sqlalchemy.sql.schema.Table"


def _add_table(context: ClassDefContext) -> None:
    table = context.cls.keywords.get("table")
    if isinstance(table, NameExpr) and table.fullname == "builtins.True":
        typ = context.api.named_type(TABLE)
        add_attribute_to_class(context.api, context.cls, "__table__", typ, is_classvar=True)


class SQLModelTables(Plugin):
    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        return _add_table if fullname == SQLMODEL else None


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return SQLModelTables
