from django.urls import path
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from maas.accounts.views import MeView, SignupView

urlpatterns = [
    path("auth/signup", SignupView.as_view(), name="signup"),
    path("auth/token", TokenObtainPairView.as_view(), name="token"),
    path("auth/token/refresh", TokenRefreshView.as_view(), name="token-refresh"),
    path("me", MeView.as_view(), name="me"),
]
