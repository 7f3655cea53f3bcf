"""CO2 per passenger-kilometre by leg mode, and per-leg grams.

Operational (well-to-wheel) estimates for Helsinki, rounded, in g CO2e per passenger-km. They are
this project's documented demo factors, not an official HSL table — replace them with the operator's
published figures when available:

- walk, bike: 0.
- city_bike: 8 — the bikes emit nothing; this is the rebalancing/maintenance van share.
- scooter: 40 — electricity plus the collection and charging vans of a shared fleet.
- metro, tram, rail: 0 / 0 / 5 — HSL's metro and trams run on certified renewable electricity;
  commuter rail has a small non-renewable share.
- bus: 45 — HSL's fleet average with its electric and renewable-diesel share.
- ferry: 120 — Suomenlinna ferries (diesel), low occupancy.
- car: 120 — average Finnish petrol/diesel car (~150 g/vehicle-km) at 1.25 occupants.
- taxi: 160 — car factor plus empty running.
"""
from __future__ import annotations

G_PER_PKM = {
    "walk": 0,
    "bike": 0,
    "city_bike": 8,
    "scooter": 40,
    "metro": 0,
    "tram": 0,
    "rail": 5,
    "bus": 45,
    "ferry": 120,
    "car": 120,
    "taxi": 160,
}


def leg_co2_g(mode: str, distance_m: float) -> int:
    """Grams of CO2 for one leg (unknown modes count as bus)."""
    return int(round(G_PER_PKM.get(mode, G_PER_PKM["bus"]) * max(0.0, distance_m) / 1000.0))
