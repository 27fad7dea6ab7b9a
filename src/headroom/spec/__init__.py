"""SLO specs: the one domain model, the filter grammar, and a loader per input format."""
