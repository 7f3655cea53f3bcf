"""Resident sign-up and profile endpoints (login is simplejwt's token view)."""
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from maas.accounts import services
from maas.accounts.serializers import (
    LoginRequestSerializer,
    LoginSerializer,
    ResidentSerializer,
    SignupResponseSerializer,
    SignupSerializer,
    TokenPairSerializer,
)
from maas.api.schema import EnvelopeAPIView, ErrorEnvelopeSchema


class SignupView(EnvelopeAPIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=SignupSerializer, responses={201: SignupResponseSerializer})
    def post(self, request):
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resident = services.register_resident(**serializer.validated_data)
        refresh = RefreshToken.for_user(resident.user)
        body = ResidentSerializer(resident).data | {"access": str(refresh.access_token), "refresh": str(refresh)}
        return Response(body, status=status.HTTP_201_CREATED)


class MeView(EnvelopeAPIView):
    @extend_schema(responses=ResidentSerializer)
    def get(self, request):
        return Response(ResidentSerializer(services.resident_for(request.user)).data)


class TokenView(TokenObtainPairView):
    """Login: {"username": email, "password"} (or {"email", "password"}) → access and refresh JWTs."""

    schema = ErrorEnvelopeSchema()
    serializer_class = LoginSerializer

    @extend_schema(request=LoginRequestSerializer, responses=TokenPairSerializer)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TokenRefreshEnvelopeView(TokenRefreshView):
    """{"refresh"} → a new access JWT."""

    schema = ErrorEnvelopeSchema()
