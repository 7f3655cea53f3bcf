"""The embedded engine (cafein RAPTOR, offline): `build` writes a feed version's artifacts, `network`
loads them and answers (`search`, `alternatives`, `legs`, `csa`), `engine` is the RoutingEngine."""
from planner.engines.embedded.engine import EmbeddedEngine  # noqa: F401
from planner.engines.embedded.network import EmbeddedNetwork  # noqa: F401
