from django.urls import path

from opendvc.payments.simulator import views

app_name = "payment_simulator"
urlpatterns = [
    path("dev/cong-thanh-toan/", views.transactions, name="transactions"),
    path("dev/cong-thanh-toan/paymentv2/vpcpay.html", views.pay, name="pay"),
    path("dev/cong-thanh-toan/merchant_webapi/api/transaction", views.querydr, name="querydr"),
    path("dev/cong-thanh-toan/ipn/<str:transaction_no>", views.ipn_preview, name="ipn_preview"),
]
