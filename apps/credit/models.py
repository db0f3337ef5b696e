"""Models of the credit app (see DESIGN.md §3)."""
