"""Settings package: `base` (default, embedded SQLite), `test`, `production`."""
