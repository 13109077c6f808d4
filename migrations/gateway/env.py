"""Alembic environment of the gateway database (API clients and keys)."""

from alembic import context

import gateway.clients.models  # noqa: F401  (registers the tables)
from gateway.clients.models import GATEWAY_TABLES
from migrations.envtools import run_migrations

run_migrations(context, GATEWAY_TABLES)
