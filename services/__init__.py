"""Kyodo services: each a FastAPI application with its own database."""
