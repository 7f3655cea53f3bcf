"""Pricing: billing's price of each itinerary for this resident, labelled in the request's language."""
from __future__ import annotations

import logging

from django.utils import translation

from billing import selectors as billing_selectors
from planner.plan.plan import Plan

logger = logging.getLogger(__name__)


def add_prices(plan: Plan) -> None:
    """Sets it["price"] on every itinerary; a failure in pricing gives a null price with the reason,
    it does not take planning down."""
    try:
        with translation.override(plan.request.language):
            prices = billing_selectors.price_itineraries(plan.user, plan.itineraries)
    except Exception as exc:
        logger.exception("pricing failed")
        prices = [{"total_cents": None, "reason": f"pricing failed: {exc.__class__.__name__}"}
                  for _ in plan.itineraries]
    for it, price in zip(plan.itineraries, prices):
        it["price"] = price
