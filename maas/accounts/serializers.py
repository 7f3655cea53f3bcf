from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from maas.accounts.models import Resident


class SignupSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=150)  # the email is also the username (150 characters)
    password = serializers.CharField(write_only=True, min_length=8)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    language = serializers.ChoiceField(choices=[c for c, _ in Resident.LANGUAGES], default="fi")

    def validate_email(self, value):
        if get_user_model().objects.filter(username=value.lower()).exists():
            raise serializers.ValidationError(_("An account with this email already exists."), code="email_taken")
        return value

    def validate_password(self, value):
        password_validation.validate_password(value)
        return value


class ResidentSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    household = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Resident
        fields = ["id", "email", "first_name", "language", "household"]


class SignupResponseSerializer(ResidentSerializer):
    """The new resident plus their first JWT pair."""

    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)

    class Meta(ResidentSerializer.Meta):
        fields = ResidentSerializer.Meta.fields + ["access", "refresh"]


class LoginRequestSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, help_text="The login name: a resident's email address.")
    email = serializers.EmailField(required=False, help_text="Accepted instead of username.")
    password = serializers.CharField(write_only=True)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="JWT for `Authorization: Bearer …` (30 minutes).")
    refresh = serializers.CharField(help_text="JWT for POST auth/token/refresh (7 days).")


class LoginSerializer(TokenObtainPairSerializer):
    """Login with the email as `username` (a resident's login name is their email) or as `email`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.username_field].required = False
        self.fields[self.username_field].help_text = "The login name: a resident's email address."
        self.fields["email"] = serializers.EmailField(required=False, write_only=True,
                                                      help_text="Accepted instead of username.")

    def validate(self, attrs):
        email = attrs.pop("email", None)
        if not attrs.get(self.username_field):
            if not email:
                raise serializers.ValidationError({self.username_field: [_("Give username (or email).")]},
                                                  code="required")
            attrs[self.username_field] = email
        if "@" in attrs[self.username_field]:  # residents' login names are lower-case emails
            attrs[self.username_field] = attrs[self.username_field].strip().lower()
        return super().validate(attrs)
