"""Models of the customers app (see DESIGN.md §3)."""
