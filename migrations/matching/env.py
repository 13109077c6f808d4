"""Alembic environment of the matching database."""

from alembic import context

import services.matching.models  # noqa: F401  (registers the tables)
from migrations.envtools import run_migrations
from services.matching.models import MATCHING_TABLES

run_migrations(context, MATCHING_TABLES)
