"""Real time for the planner: GTFS-Realtime trip updates, service alerts and vehicle positions.

Ingest (`poll`): per feed, each configured source is fetched (`fetch`), parsed with the standard bindings
(`parse`), matched to the active static timetable (`static_index`, `trip_updates`) and swapped atomically into
the shared state (`store`: Redis, or files when there is no Redis). Readers (`selectors`) see one whole poll
or the previous one, never a mix. A stale header or a malformed feed never replaces good state with bad.
"""
