"""Reading, validating, repairing and loading GTFS feeds (no Django needed except in `loader`)."""
