"""Alembic environment of the registry database."""

from alembic import context

import services.registry.models  # noqa: F401  (registers the tables)
from migrations.envtools import run_migrations
from services.registry.models import REGISTRY_TABLES

run_migrations(context, REGISTRY_TABLES)
