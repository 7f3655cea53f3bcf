"""The r5py engine: `engine` (Django side, never imports r5py), `frames` (R5 results -> itineraries) and
`worker` (the separate process that imports r5py: `python -m planner.engines.r5py.worker`)."""
