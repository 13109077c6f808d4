"""The organisation registry: organisations of every kind and the resources (seeds) they offer."""
