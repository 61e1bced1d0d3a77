"""Alembic environment: run with the connection the store hands over."""
from alembic import context

from cockpit.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things in place; batch mode rewrites the table.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
