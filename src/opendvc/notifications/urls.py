from django.urls import path

from opendvc.notifications import views

app_name = "notifications"
urlpatterns = [
    path("dev/outbox", views.outbox, name="outbox"),
]
