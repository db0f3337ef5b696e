"""Shared REST API machinery (DESIGN.md §12): problem+json errors, the role-matrix
permission, pages, Idempotency-Key, the schema helpers and the base viewset.

Each app's `api.py` builds on these; `backoffice/api.py` wires the router.
"""
