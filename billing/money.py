"""Integer-cent money helpers: VAT included in a gross price, and localized euro amounts."""
from django.utils.translation import get_language


def vat_included(gross_cents: int, rate_bp: int) -> int:
    """The VAT inside a VAT-inclusive price, rounded half up to a cent (rate in basis points)."""
    if gross_cents <= 0 or rate_bp <= 0:
        return 0
    divisor = 10000 + rate_bp
    return (gross_cents * rate_bp * 2 + divisor) // (2 * divisor)


def apply_discount(cents: int, percent: int) -> int:
    """`cents` less `percent` %, rounded half up to a cent."""
    return cents - (cents * percent * 2 + 100) // 200 if percent else cents


def format_eur(cents: int, language: str | None = None) -> str:
    """"€2.95" in English, "2,95 €" in Finnish and Swedish."""
    language = (language or get_language() or "en")[:2]
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    if language in ("fi", "sv"):
        return f"{sign}{euros},{rest:02d}\u00a0€"
    return f"{sign}€{euros}.{rest:02d}"
