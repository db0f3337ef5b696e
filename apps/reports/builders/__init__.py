"""One module per family of reports; each `build(params, progress) -> Report`."""
