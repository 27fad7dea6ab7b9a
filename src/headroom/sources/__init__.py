"""SLI sources: where good/total counts come from (embedded store, Prometheus, files)."""
