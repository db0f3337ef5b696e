"""Models of the inventory app (see DESIGN.md §3)."""
