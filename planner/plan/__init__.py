"""The trip-planning use case: `pipeline.plan_trip` (POST /api/v1/plans) runs the request through
validate -> candidates (transit, park-and-ride, direct, shared vehicles) -> filters -> price;
`accessibility.accessibility` answers POST /api/v1/accessibility."""
