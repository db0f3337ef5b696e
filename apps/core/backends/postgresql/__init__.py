"""PostgreSQL backend: see base.py."""
