"""Downloading stored files: the owner and the officials of an agency whose dossier uses the file may;
everyone else gets the same 404 as for a file that does not exist."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from opendvc.accounts.tests.factories import make_citizen, make_official
from opendvc.dossiers.models import DossierDocument, Status
from opendvc.dossiers.services.files import store_bytes
from opendvc.dossiers.tests.factories import make_dossier, make_pdf_bytes

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def owner():
    return make_citizen()


@pytest.fixture
def stored(owner):
    return store_bytes(make_pdf_bytes("Giay chung sinh"), name="giấy chứng sinh.pdf", owner=owner)


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def url(stored_file) -> str:
    return reverse("dossiers:file", args=[stored_file.pk])


def main_of(response) -> str:
    """The page's main content (the header differs by path and CSRF token)."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_owner_downloads_the_file_as_an_attachment_with_safe_headers(owner, stored):
    response = signed_in(owner).get(url(stored))
    assert response.status_code == 200
    assert body_of(response) == stored.file.open("rb").read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_pdf_or_image_may_be_shown_in_the_browser_when_asked(owner, stored):
    response = signed_in(owner).get(url(stored), {"xem": "1"})
    assert response["Content-Disposition"].startswith("inline;")
    image = store_bytes(PNG, name="anh.png", owner=owner)
    shown = signed_in(owner).get(url(image), {"xem": "1"})
    assert shown["Content-Disposition"].startswith("inline;")
    assert "sandbox" in shown["Content-Security-Policy"]


def test_another_citizen_gets_the_same_404_as_for_a_missing_file(stored):
    other = signed_in(make_citizen(id_number="079190000123", phone="0911222333"))
    theirs = other.get(url(stored))
    missing = other.get(reverse("dossiers:file", args=[stored.pk + 1000]))
    assert theirs.status_code == missing.status_code == 404
    assert main_of(theirs) == main_of(missing)


def test_an_anonymous_visitor_is_sent_to_sign_in_for_any_file(client, stored):
    for file_id in (stored.pk, stored.pk + 1000):
        response = client.get(reverse("dossiers:file", args=[file_id]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_an_official_reads_files_of_their_agencys_dossiers_only(owner, stored):
    dossier = make_dossier(status=Status.RECEIVED, applicant=owner)
    DossierDocument.objects.create(dossier=dossier, role="application", title=stored.name, file=stored)
    same_agency, _secret = make_official(username="motcua.hk", totp=False)
    other_agency, _secret = make_official(username="motcua.khac", agency_code="000.00.20.H29", totp=False)
    assert signed_in(same_agency).get(url(stored)).status_code == 200
    assert signed_in(other_agency).get(url(stored)).status_code == 404


def test_only_get_is_answered(owner, stored):
    assert signed_in(owner).post(url(stored)).status_code == 405
