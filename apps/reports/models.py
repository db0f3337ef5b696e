"""Models of the reports app (see DESIGN.md §3)."""
