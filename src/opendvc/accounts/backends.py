"""Authentication backends: the ID number (citizens) or username (officials, admins) with a password.

The password check is only the first factor: views and the API complete sign-in after the OTP or TOTP
step (accounts.services.login). Django's `authenticate()` is still the entry point so that django-axes
sees every attempt.
"""

from django.contrib.auth.backends import ModelBackend

from opendvc.accounts.models import Account, AccountKind


class AccountBackend(ModelBackend):
    def authenticate(self, request, id_number=None, username=None, password=None, **kwargs):
        if password is None or (id_number is None and username is None):
            return None
        if id_number is not None:
            # The 12-digit number or the old 9-digit CMND number (services.common.citizen_by_id).
            from opendvc.accounts.services.common import citizen_by_id

            account = citizen_by_id(id_number)
        else:
            account = Account.objects.filter(
                kind__in=[AccountKind.OFFICIAL, AccountKind.ADMIN], username__iexact=username
            ).first()
        if account is None:
            # Same work as a real check, so that timing does not tell which IDs have accounts.
            Account().set_password(password)
            return None
        if account.check_password(password) and self.user_can_authenticate(account):
            return account
        return None
