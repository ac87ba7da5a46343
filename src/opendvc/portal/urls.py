"""The portal's own pages: guides and news, the opinion poll."""

from django.urls import path

from opendvc.portal import views

app_name = "portal"
urlpatterns = [
    path("huong-dan/", views.article_list, name="articles"),
    path("huong-dan/<slug:slug>/", views.article, name="article"),
    path("tham-do-y-kien/", views.poll, name="poll"),
    path("tham-do-y-kien/<int:poll_id>/binh-chon/", views.poll_vote, name="poll_vote"),
]
