from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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

    def validate(self, attrs):
        """The password checks also compare it with the email and names (UserAttributeSimilarityValidator)."""
        user = get_user_model()(username=attrs["email"].lower(), email=attrs["email"].lower(),
                                first_name=attrs.get("first_name", ""), last_name=attrs.get("last_name", ""))
        try:
            password_validation.validate_password(attrs["password"], user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


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
