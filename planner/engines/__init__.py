"""Routing engines behind one interface; pick one with settings.ROUTING_ENGINE."""
from planner.engines.base import (  # noqa: F401
    EngineConfigurationError,
    EngineUnavailable,
    PlanRequest,
    RoutingEngine,
    get_engine,
)
