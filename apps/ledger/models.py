"""Models of the ledger app (see DESIGN.md §3)."""
