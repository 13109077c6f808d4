"""Alembic histories, one per service database (``migrations/<service>/``)."""
