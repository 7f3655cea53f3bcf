from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken


def client_for(user):
    """An API client signed in as `user` with a fresh access token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client
