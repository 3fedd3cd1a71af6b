"""One admin screen to add an official with a login and roles (instead of three: user, groups, official)."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from .models import Official, Role
from .services import official_create_with_login


class OfficialWithLoginForm(forms.ModelForm):
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("Letters, digits and @ . + - _ only; the official logs in with it."))
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password confirmation"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(r.value, r.label) for r in Role if r != Role.OFFICIAL],
                                      help_text=_("Every official may request missions; tick only the extra roles."))

    class Meta:
        model = Official
        fields = ["civil_service_id", "honorific", "name_km", "name_latin", "gender", "unit", "position", "phone",
                  "email", "active"]

    def clean_username(self):
        User = get_user_model()
        username = User.normalize_username(self.cleaned_data["username"])
        User._meta.get_field("username").run_validators(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("A user with that username already exists."))
        return username

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two password fields didn’t match."))
        elif p1:
            probe = get_user_model()(username=data.get("username", ""), email=data.get("email", ""),
                                     first_name=data.get("name_latin", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class OfficialWithLoginMixin:
    """For OfficialAdmin: its add page asks for the login and roles too, and saves all through one service."""

    add_fieldsets = (
        (None, {"fields": ("civil_service_id", "honorific", "name_km", "name_latin", "gender", "unit", "position",
                           "phone", "email", "active")}),
        (_("Login and roles"), {"fields": ("username", "password1", "password2", "roles")}),
    )

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = OfficialWithLoginForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change or not isinstance(form, OfficialWithLoginForm):
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        official_create_with_login(official=obj, username=data["username"], password=data["password1"],
                                   roles=data.get("roles") or (), by=request.user)

