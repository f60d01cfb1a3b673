from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.access import role_required
from accounts.models import Role
from accounts.roles import home_url_for


def home(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    return redirect(home_url_for(request.user))


@role_required(Role.INSTITUTION_ADMIN)
def institution_admin_home(request):
    return render(request, "accounts/institution_admin_home.html")


@login_required
def security(request):
    """Where staff enrol two-factor authentication and see their sessions."""
    return render(request, "accounts/security.html")
