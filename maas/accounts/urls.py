from django.urls import path

from maas.accounts import views

urlpatterns = [
    path("auth/signup", views.SignupView.as_view(), name="signup"),
    path("auth/token", views.TokenView.as_view(), name="token"),
    path("auth/token/refresh", views.TokenRefreshEnvelopeView.as_view(), name="token-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("me", views.MeView.as_view(), name="me"),
    path("me/export", views.ExportView.as_view(), name="me-export"),
    path("me/password", views.PasswordView.as_view(), name="me-password"),
    path("me/household", views.HouseholdView.as_view(), name="me-household"),
    path("me/household/invite", views.HouseholdInviteView.as_view(), name="me-household-invite"),
]
