"""Models of the invoicing app (see DESIGN.md §3)."""
