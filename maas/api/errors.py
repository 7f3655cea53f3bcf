"""One error body for every 4xx/5xx: {"error": {"code", "message", "details"}}."""
import logging
import math

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import (
    ValidationError as DjangoValidationError,
)
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """An API error with a machine-readable code, a human message and optional details."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"
    default_detail = gettext_lazy("The request could not be processed.")

    def __init__(self, message=None, code=None, details=None, status_code=None):
        super().__init__(detail=message or self.default_detail, code=code or self.default_code)
        self.error_code = code or self.default_code
        self.details = details
        if status_code is not None:
            self.status_code = status_code


class ServiceUnavailable(ApiError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    default_detail = gettext_lazy("The service is temporarily unavailable.")


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("The request conflicts with the current state.")


_DRF_CODES = {
    exceptions.ValidationError: "validation_error",
    exceptions.ParseError: "parse_error",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(code, message, details=None):
    """The project's error envelope."""
    return {"error": {"code": code, "message": str(message), "details": details}}


def _too_large_body():
    limit = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)
    return error_body("payload_too_large", _("The request body is too large."), {"max_bytes": limit})


def _structured_detail(detail):
    """Message, code and details of a dict-shaped detail such as simplejwt's
    {"detail", "code", "messages"}; None for other shapes."""
    if not isinstance(detail, dict) or "detail" not in detail:
        return None
    messages = detail.get("messages")
    details = None
    if isinstance(messages, list):
        details = {"messages": [str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in messages]}
    return str(detail["detail"]), str(detail.get("code") or "") or None, details


def exception_handler(exc, context):
    """DRF exception handler producing the project's error envelope."""
    if isinstance(exc, RequestDataTooBig):
        return Response(_too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):  # e.g. too many form fields: the client's fault
        logger.warning("Suspicious request: %s", exc)
        return Response(error_body("bad_request", _("The request could not be processed.")),
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ApiError):
        response = Response(error_body(exc.error_code, exc.detail, exc.details), status=exc.status_code)
        return response

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            error_body("server_error", _("An unexpected error occurred.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), None) or getattr(
        exc, "default_code", "error"
    )
    if isinstance(exc, exceptions.ValidationError):
        message, details = _("Invalid input."), response.data
    elif (structured := _structured_detail(exc.detail)) is not None:
        message, specific_code, details = structured
        code = specific_code or code
    else:
        message, details = exc.detail, None
        specific_code = getattr(exc.detail, "code", None)  # e.g. simplejwt's "no_active_account"
        if isinstance(specific_code, str) and specific_code and specific_code != exc.default_code:
            code = specific_code
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            seconds = math.ceil(exc.wait)
            message = _("Too many requests. Try again in %(seconds)d seconds.") % {"seconds": seconds}
            details = {"retry_after_seconds": seconds}
    response.data = error_body(code, message, details)
    return response


def handler404(request, exception=None):
    """Django-level 404 in the API envelope."""
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


@csrf_exempt  # an unknown path is 404 for every method, not a CSRF 403
def api_not_found(request, *args, **kwargs):
    """Catch-all for unknown /api/ paths: the 404 envelope whatever DEBUG says."""
    return handler404(request)


def handler400(request, exception=None):
    """Django-level 400 (e.g. a disallowed Host header) in the API envelope."""
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(_too_large_body(), status=413)
    return JsonResponse(error_body("bad_request", _("The request could not be processed.")), status=400)


def method_not_allowed(request, allowed):
    """405 in the API envelope for plain Django views, with the Allow header."""
    response = JsonResponse(
        error_body("method_not_allowed", _('Method "%(method)s" not allowed.') % {"method": request.method},
                   {"allowed": list(allowed)}),
        status=405,
    )
    response["Allow"] = ", ".join(allowed)
    return response


def handler500(request):
    """Django-level 500 in the API envelope."""
    return JsonResponse(error_body("server_error", _("An unexpected error occurred.")), status=500)
