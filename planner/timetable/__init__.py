"""Reads over the imported timetable tables: active feeds and feed-qualified ids, service days,
departure boards and stop search (served by /api/v1/stops...)."""
