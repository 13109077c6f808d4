"""Alembic environment of the events database."""

from alembic import context

import services.events.models  # noqa: F401  (registers the tables)
from migrations.envtools import run_migrations
from services.events.models import EVENTS_TABLES

run_migrations(context, EVENTS_TABLES)
