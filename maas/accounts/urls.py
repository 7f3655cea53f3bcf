from django.urls import path

from maas.accounts.views import MeView, SignupView, TokenRefreshEnvelopeView, TokenView

urlpatterns = [
    path("auth/signup", SignupView.as_view(), name="signup"),
    path("auth/token", TokenView.as_view(), name="token"),
    path("auth/token/refresh", TokenRefreshEnvelopeView.as_view(), name="token-refresh"),
    path("me", MeView.as_view(), name="me"),
]
