"""The state one trip request carries through the pipeline's steps."""
from __future__ import annotations

from dataclasses import dataclass, field

from planner.engines.base import PlanRequest, RoutingEngine


@dataclass
class Plan:
    """A trip request in progress: the validated request, the engine (None when transit is not needed and
    the engine is unavailable) and the itineraries found so far, each a dict of docs/interfaces.md."""

    user: object
    params: dict  # the serializer's data, as the client sent it
    request: PlanRequest
    engine: RoutingEngine | None = None
    itineraries: list[dict] = field(default_factory=list)
    feeds: list[dict] = field(default_factory=list)  # [{"name", "version"}]: the network's feed versions
    errors: dict = field(default_factory=dict)  # mode -> (routing_errors code, details): why it found nothing
