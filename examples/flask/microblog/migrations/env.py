"""Alembic's entry point, run by `flask db upgrade` (Flask-Migrate):
apply the migrations in versions/ to the application's database."""

from alembic import context
from flask import current_app


def run_migrations() -> None:
    db = current_app.extensions["migrate"].db
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("this project does not write SQL scripts (--sql): run flask db upgrade")
run_migrations()
