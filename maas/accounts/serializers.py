from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from maas.accounts.models import Resident
from maas.api.fields import StrictStringsMixin
from maas.api.schema import requires_any

# The trip-plan modes a profile may prefer (the planner's `modes`).
PLAN_MODES = ("walk", "bike", "transit", "city_bike", "scooter", "car")
LANGUAGE_CODES = [c for c, _name in Resident.LANGUAGES]


# What a schema can say of AUTH_PASSWORD_VALIDATORS (at least 8 characters, not all digits); the rest is a
# documented 400 validation_error at the password (too common, too like the email or names).
PASSWORD_RULES = ("At least 8 characters, not all digits (outer whitespace is trimmed first). A common password, "
                  "or one too like the email or names, is refused: 400 validation_error at this field.")


@extend_schema_field({"type": "string", "minLength": 8, "pattern": r"^[^\x00]*[^\x000-9][^\x00]*$",
                      "description": PASSWORD_RULES})
class NewPasswordField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(write_only=True, min_length=8, **kwargs)


class SignupSerializer(StrictStringsMixin, serializers.Serializer):
    email = serializers.EmailField(max_length=150)  # the email is also the username (150 characters)
    password = NewPasswordField()
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, default="fi")

    def validate_email(self, value):
        if get_user_model().objects.filter(username__iexact=value).exists():
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


class HouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()
    apartment = serializers.CharField()
    postal_code = serializers.CharField()
    block = serializers.CharField()


class PreferencesSerializer(serializers.Serializer):
    """Travel preferences: defaults of POST /plans when the request leaves them out."""

    wheelchair = serializers.BooleanField(required=False)
    walking_speed = serializers.ChoiceField(choices=[c for c, _n in Resident.WALKING_SPEEDS], required=False)
    max_walk_m = serializers.IntegerField(min_value=0, max_value=5000, required=False, allow_null=True)
    preferred_modes = serializers.ListField(child=serializers.ChoiceField(choices=PLAN_MODES), required=False,
                                            max_length=len(PLAN_MODES))


class DiscountSerializer(serializers.Serializer):
    group = serializers.CharField(source="group.code")
    percent = serializers.IntegerField(source="group.percent")
    valid_until = serializers.DateField()


class ResidentSerializer(serializers.Serializer):
    """The profile (GET/PATCH /me)."""

    id = serializers.IntegerField(allow_null=True)
    email = serializers.EmailField(source="user.email")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    phone = serializers.CharField()
    language = serializers.CharField()
    household = serializers.SerializerMethodField()
    household_detail = serializers.SerializerMethodField()
    preferences = serializers.SerializerMethodField()
    location_consent = serializers.BooleanField()

    def get_household(self, resident) -> str | None:
        return str(resident.household) if resident.household_id else None

    def get_household_detail(self, resident) -> HouseholdSerializer(allow_null=True):
        return HouseholdSerializer(resident.household).data if resident.household_id else None

    def get_preferences(self, resident) -> PreferencesSerializer:
        return {"wheelchair": resident.wheelchair, "walking_speed": resident.walking_speed,
                "max_walk_m": resident.max_walk_m, "preferred_modes": list(resident.preferred_modes or [])}


class ProfileUpdateSerializer(StrictStringsMixin, serializers.Serializer):
    """PATCH /me: any subset of these; unknown fields are refused."""

    openapi_extra = {"minProperties": 1, "additionalProperties": False}

    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    phone = serializers.RegexField(r"^\+?[0-9 ()-]{5,20}$", required=False, allow_blank=True, max_length=30)
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False)
    preferences = PreferencesSerializer(required=False)
    location_consent = serializers.BooleanField(required=False)

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        if not attrs:
            raise serializers.ValidationError(_("Give at least one field to change."))
        return attrs


class SignupResponseSerializer(ResidentSerializer):
    """The new resident plus their first JWT pair."""

    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


class JoinHouseholdSerializer(StrictStringsMixin, serializers.Serializer):
    code = serializers.CharField(max_length=40)


class JoinCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    household = serializers.CharField()


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class PasswordChangeSerializer(StrictStringsMixin, serializers.Serializer):
    old_password = serializers.CharField()
    new_password = NewPasswordField()


class EraseSerializer(StrictStringsMixin, serializers.Serializer):
    password = serializers.CharField()


class LoginRequestSerializer(serializers.Serializer):
    openapi_extra = requires_any(["username"], ["email"])
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
        return super().validate(attrs)
