from allauth.account.adapter import DefaultAccountAdapter

from accounts.roles import home_url_for


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People are created by their institution (admin, SCIM, OneRoster, LTI), never by themselves.
        return False

    def get_login_redirect_url(self, request):
        return home_url_for(request.user)
