"""The language of a request: explicit field > Accept-Language > the resident's profile > Finnish.

`LanguageMiddleware` (after Django's LocaleMiddleware and AuthenticationMiddleware) activates it for the
whole request, so every message, label and leg text follows the same rule; views with an explicit
`language` field override it for their answer.
"""
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

DEFAULT_LANGUAGE = "fi"
SUPPORTED = {code for code, _name in settings.LANGUAGES}


def header_language(request):
    """The first supported language of the Accept-Language header (by q), or None."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _q in parse_accept_lang_header(header):
        base = code.split("-")[0].lower()
        if base in SUPPORTED:
            return base
    return None


def _request_user(request):
    """The session user, else the JWT user of the Authorization header (None when neither is valid)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    if not request.META.get("HTTP_AUTHORIZATION"):
        return None
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

    from maas.accounts.auth import JWTAuthentication  # keeps its answer on the request for DRF

    try:
        result = JWTAuthentication().authenticate(request)
    except (InvalidToken, TokenError, AuthenticationFailed):
        return None
    return result[0] if result else None


def profile_language(user):
    """The user's profile language (None without a profile); no query when the profile came with the user."""
    from django.core.exceptions import ObjectDoesNotExist

    if user is None:
        return None
    try:
        return user.resident.language
    except ObjectDoesNotExist:
        return None


def request_language(request, explicit=None):
    """explicit > Accept-Language > profile > fi."""
    if explicit in SUPPORTED:
        return explicit
    return header_language(request) or profile_language(_request_user(request)) or DEFAULT_LANGUAGE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
