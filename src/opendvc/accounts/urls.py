"""The account pages: each views module lists its own routes."""

from opendvc.accounts.views import account, login, officials, pki, post, recovery, registration

app_name = "accounts"
urlpatterns = [
    *registration.urlpatterns,
    *login.urlpatterns,
    *recovery.urlpatterns,
    *pki.urlpatterns,
    *officials.urlpatterns,
    *post.urlpatterns,
    *account.urlpatterns,
]
