"""Staff login and logout (Django's auth views, with a form that only lets staff in)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy


class StaffAuthenticationForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise ValidationError(
                "This account is not a staff account, so it can't open the operator pages. "
                "Listeners log in with Spotify.",
                code="not_staff",
            )


login = auth_views.LoginView.as_view(
    template_name="adminui/login.html",
    authentication_form=StaffAuthenticationForm,
    next_page=reverse_lazy("pages:dashboard"),
    redirect_authenticated_user=True,
)

# Django's LogoutView only accepts POST (a link can't log anyone out behind their back).
logout = auth_views.LogoutView.as_view(next_page=reverse_lazy("pages:login"))
