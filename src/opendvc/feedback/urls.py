"""Feedback pages: public (send, read answered feedback, track), the sender's page, the back office."""

from django.urls import path

from opendvc.feedback.views import backoffice, public

app_name = "feedback"
urlpatterns = [
    path("phan-anh-kien-nghi/", public.index, name="list"),
    path("phan-anh-kien-nghi/gui/", public.send, name="send"),
    path("phan-anh-kien-nghi/tra-cuu/", public.track, name="track"),
    path("phan-anh-kien-nghi/cua-toi/", public.mine, name="mine"),
    path("phan-anh-kien-nghi/tep/<int:attachment_id>/", public.attachment, name="attachment"),
    path("phan-anh-kien-nghi/<str:code>/", public.detail, name="detail"),
    path("phan-anh-kien-nghi/<str:code>/danh-gia/", public.vote, name="vote"),
    path("phan-anh-kien-nghi/<str:code>/nguoi-gui/", public.sender, name="sender"),
    path("phan-anh-kien-nghi/<str:code>/nguoi-gui/bo-sung/", public.sender_info, name="sender_info"),
    path(
        "phan-anh-kien-nghi/<str:code>/nguoi-gui/phan-anh-lai/", public.sender_reraise, name="sender_reraise"
    ),
    *backoffice.urlpatterns,
]
