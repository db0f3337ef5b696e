"""Models of the portal app (see DESIGN.md §3)."""
