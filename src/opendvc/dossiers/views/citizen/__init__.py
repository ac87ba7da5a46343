"""Applicants' pages: start a dossier, fill the e-form step by step (a draft saved as they go), attach the
required documents, choose the agency and how to receive the result, review and submit; "Hồ sơ nháp";
"Hồ sơ của tôi" with supplements, withdrawal and rating.

One question topic per page (GOV.UK pattern), the progress shown, errors listed at the top with links, and
nothing typed is ever lost: "Quay lại", "Lưu nháp" and the autosave keep answers without checking them.
The rules live in `services.submission`, `services.files` and `services.actions`; these views parse, call,
render. Every page works without JavaScript; htmx only adds the autosave and the commune list refresh.
"""

from django.urls import path, re_path

from opendvc.dossiers.views.citizen.common import DELIVERY, FILES, REVIEW, STEP
from opendvc.dossiers.views.citizen.mine import (
    draft_delete,
    drafts,
    mine,
    mine_detail,
    mine_rate,
    mine_supplement,
    mine_withdraw,
)
from opendvc.dossiers.views.citizen.submit import draft_delivery, draft_files, draft_review, submitted
from opendvc.dossiers.views.citizen.wizard import communes, draft_autosave, draft_resume, draft_step, start

urlpatterns = [
    path("ho-so/nop/<str:code>/", start, name="start"),
    path("ho-so/nhap/", drafts, name="drafts"),
    path("ho-so/nhap/<int:draft_id>/", draft_resume, name="draft"),
    path("ho-so/nhap/<int:draft_id>/xoa/", draft_delete, name="draft_delete"),
    path(f"ho-so/nhap/<int:draft_id>/{FILES}/", draft_files, name="draft_files"),
    path(f"ho-so/nhap/<int:draft_id>/{DELIVERY}/", draft_delivery, name="draft_delivery"),
    path(f"ho-so/nhap/<int:draft_id>/{REVIEW}/", draft_review, name="draft_review"),
    re_path(rf"^ho-so/nhap/(?P<draft_id>[0-9]+)/luu/{STEP}/$", draft_autosave, name="draft_autosave"),
    re_path(rf"^ho-so/nhap/(?P<draft_id>[0-9]+)/{STEP}/$", draft_step, name="draft_step"),
    path("ho-so/dia-gioi/xa-phuong/", communes, name="communes"),
    path("ho-so/da-nop/<str:code>/", submitted, name="submitted"),
    path("ho-so/cua-toi/", mine, name="mine"),
    path("ho-so/cua-toi/<str:code>/", mine_detail, name="mine_detail"),
    path("ho-so/cua-toi/<str:code>/bo-sung/", mine_supplement, name="mine_supplement"),
    path("ho-so/cua-toi/<str:code>/rut/", mine_withdraw, name="mine_withdraw"),
    path("ho-so/cua-toi/<str:code>/danh-gia/", mine_rate, name="mine_rate"),
]
