"""Use cases shared by the CLI, the HTTP API and the web dashboard."""
