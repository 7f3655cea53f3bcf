"""Sign-in and token hygiene: case-insensitive email login, JWT requests, logout, revoking a user's tokens."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

_UNSET = object()


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's JWT authentication, once per request: the user comes with their resident profile and
    household in the same query, and the result is kept on the request, so the language middleware
    (which needs the profile language before the view) and DRF decode and look up the token only once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _Users(self.user_model)  # what simplejwt's get_user reads of the user model

    def authenticate(self, request):
        django_request = getattr(request, "_request", request)  # DRF's Request wraps Django's
        cached = getattr(django_request, "_jwt_auth", _UNSET)
        if cached is not _UNSET:
            return cached
        result = super().authenticate(request)  # raises on a bad token: nothing is kept then
        django_request._jwt_auth = result
        return result


class _Users:
    """The user model as simplejwt's get_user uses it, with `objects` joining the resident and household."""

    def __init__(self, model):
        self.objects = model._default_manager.select_related("resident__household")
        self.DoesNotExist = model.DoesNotExist


class CaseInsensitiveModelBackend(ModelBackend):
    """ModelBackend matching the login name without regard to case (the email is the login name)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        users = list(get_user_model()._default_manager.filter(username__iexact=username.strip())[:2])
        if len(users) != 1:  # none, or two accounts differing only in case (admin-made): exact match only
            user = next((u for u in users if u.get_username() == username), None)
        else:
            user = users[0]
        if user is None:
            get_user_model()().set_password(password)  # same work as a real check (timing)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def logout(refresh_token):
    """Blacklist one refresh token (raises simplejwt's TokenError when it is invalid or already revoked)."""
    RefreshToken(refresh_token).blacklist()


def revoke_all_tokens(user):
    """Blacklist every outstanding refresh token of `user` (access tokens die with the password hash check
    or with the inactive account)."""
    for token in OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False):
        BlacklistedToken.objects.get_or_create(token=token)
