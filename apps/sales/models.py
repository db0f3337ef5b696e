"""Models of the sales app (see DESIGN.md §3)."""
