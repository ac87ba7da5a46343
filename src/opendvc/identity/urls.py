"""Development pages of identity (all 404 unless settings.PKI_TEST_CA_ENABLED), included at the site root."""

from django.urls import path

from opendvc.identity import views

app_name = "identity"

urlpatterns = [
    path("dev/token-plugin/", views.token_plugin_try, name="token_plugin_try"),
    path("dev/token-plugin/certificates", views.token_plugin_certificates, name="token_plugin_certificates"),
    path("dev/token-plugin/sign", views.token_plugin_sign, name="token_plugin_sign"),
    path("dev/ky-so-sim/", views.sim_requests, name="sim_requests"),
    path("dev/ky-so-sim/<slug:request_id>/", views.sim_decide, name="sim_decide"),
    path("dev/test-pki/<str:name>", views.test_pki_file, name="test_pki_file"),
]
