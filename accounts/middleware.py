from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse


class RequireStaffTwoFactorMiddleware:
    """Institution admins and platform operators must enrol TOTP before anything else.

    Costs one indexed query per request, only for those roles (a handful of people per
    institution); everyone else passes without touching the database.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.needs_two_factor
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?required=1")
        return self.get_response(request)
