"""Resident endpoints: sign-up, login/logout, profile, household membership (thin views over services)."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from maas.accounts import auth, households, selectors, services
from maas.accounts.privacy import erasure, export
from maas.accounts.privacy.api_shapes import ExportSerializer
from maas.accounts.serializers import (
    EraseSerializer,
    JoinCodeSerializer,
    JoinHouseholdSerializer,
    LoginRequestSerializer,
    LoginSerializer,
    LogoutSerializer,
    PasswordChangeSerializer,
    ProfileUpdateSerializer,
    ResidentSerializer,
    SignupResponseSerializer,
    SignupSerializer,
    TokenPairSerializer,
)
from maas.api import parsers
from maas.api.errors import ApiError
from maas.api.schema import EnvelopeAPIView, ErrorEnvelopeSchema, refusals


def valid(serializer_class, data):
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return serializer.validated_data


class SignupView(EnvelopeAPIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=SignupSerializer, responses={201: SignupResponseSerializer, 400: refusals(
        "validation_error at password: too common, or too like the email or names (the password rules a schema "
        "cannot state); at email: an account with this email already exists.")})
    def post(self, request):
        resident = services.register_resident(**valid(SignupSerializer, request.data))
        refresh = RefreshToken.for_user(resident.user)
        body = ResidentSerializer(resident).data | {"access": str(refresh.access_token), "refresh": str(refresh)}
        return Response(body, status=status.HTTP_201_CREATED)


class MeView(EnvelopeAPIView):
    """The signed-in resident's profile and travel preferences."""

    # JSON only, as documented: a form's empty field counts as absent in DRF (PATCH language="" was a 200
    # that changed nothing); a form body is 415.
    parser_classes = [parsers.JSONParser]

    @extend_schema(responses=ResidentSerializer)
    def get(self, request):
        return Response(ResidentSerializer(selectors.resident_of(request.user)).data)

    @extend_schema(request=ProfileUpdateSerializer, responses=ResidentSerializer)
    def patch(self, request):
        data = dict(valid(ProfileUpdateSerializer, request.data))
        data.update(data.pop("preferences", {}))
        resident = services.update_profile(request.user, data)
        return Response(ResidentSerializer(resident).data)

    @extend_schema(request=EraseSerializer, responses={204: None, 400: refusals(
        "wrong_password: the password is not the account's.")})
    def delete(self, request):
        """Erase the account (GDPR Art. 17): {"password"} confirms. 409 trip_in_progress / money_owed."""
        erasure.erase_account(request.user, valid(EraseSerializer, request.data)["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(EnvelopeAPIView):
    """Everything held about the signed-in resident, as one JSON document (GDPR Art. 15/20)."""

    @extend_schema(responses={200: ExportSerializer})
    def get(self, request):
        response = Response(export.export_for(request.user))
        response["Content-Disposition"] = 'attachment; filename="kalasatama-maas-export.json"'
        return response


class HouseholdView(EnvelopeAPIView):
    """POST {"code"} joins a household with a one-time code; DELETE leaves it."""

    @extend_schema(request=JoinHouseholdSerializer, responses={200: ResidentSerializer, 400: refusals(
        "invalid_join_code: the code is not one a household member created, or it was used already.")})
    def post(self, request):
        code = valid(JoinHouseholdSerializer, request.data)["code"]
        resident = households.join_household(services.resident_for(request.user), code)
        return Response(ResidentSerializer(resident).data)

    @extend_schema(request=None, responses={200: ResidentSerializer})  # a DELETE defaults to 204 in the schema
    def delete(self, request):
        resident = households.leave_household(services.resident_for(request.user))
        return Response(ResidentSerializer(resident).data)


class HouseholdInviteView(EnvelopeAPIView):
    """A household member creates a one-time join code to give to another resident."""

    @extend_schema(request=None, responses={201: JoinCodeSerializer})
    def post(self, request):
        row = households.invite(services.resident_for(request.user))
        return Response({"code": row.code, "household": str(row.household)}, status=status.HTTP_201_CREATED)


class PasswordView(EnvelopeAPIView):
    """Change the password; every token issued before is revoked (sign in again)."""

    @extend_schema(request=PasswordChangeSerializer, responses={204: None, 400: refusals(
        "wrong_password: old_password is not the current password; validation_error at new_password: too common, "
        "or too like the email or names.")})
    def post(self, request):
        data = valid(PasswordChangeSerializer, request.data)
        services.change_password(request.user, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(EnvelopeAPIView):
    """Sign out: the refresh token is blacklisted (the short-lived access token lapses on its own)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=LogoutSerializer, responses={204: None})
    def post(self, request):
        token = valid(LogoutSerializer, request.data)["refresh"]
        try:
            auth.logout(token)
        except TokenError:
            raise ApiError(_("The refresh token is invalid, expired or already signed out."),
                           code="token_not_valid", status_code=401)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(TokenObtainPairView):
    """Login: {"username": email (any case), "password"} (or {"email", "password"}) → access and refresh
    JWTs."""

    schema = ErrorEnvelopeSchema()
    serializer_class = LoginSerializer

    @extend_schema(request=LoginRequestSerializer, responses=TokenPairSerializer)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TokenRefreshEnvelopeView(TokenRefreshView):
    """{"refresh"} → a new access JWT and a new refresh JWT (the old refresh token is revoked)."""

    schema = ErrorEnvelopeSchema()
