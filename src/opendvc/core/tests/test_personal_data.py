"""Personal numbers are encrypted at rest, found through a keyed hash, masked on screen, and rotatable."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from opendvc.accounts.models import Account
from opendvc.accounts.services.common import citizen_by_id
from opendvc.accounts.tests.factories import make_citizen
from opendvc.core.personal_data import mask, mask_phone, normalize_phone

pytestmark = pytest.mark.django_db


def raw_row(account):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_digest FROM accounts_account WHERE id = %s", [account.pk])
        return cursor.fetchone()


def test_the_id_number_is_not_stored_in_clear_and_is_found_by_its_hash():
    account = make_citizen()
    stored, digest = raw_row(account)
    assert "001088012345" not in stored
    assert "001088012345" not in digest
    assert citizen_by_id("001088012345") == account


def test_numbers_are_masked_for_display():
    assert mask("001088012345") == "0010******45"
    assert mask("012345678") == "01*****78"
    assert mask_phone("0912345678") == "091****678"


def test_phone_numbers_in_common_forms_are_one_number():
    assert normalize_phone("+84 912 345 678") == normalize_phone("0912-345-678") == "0912345678"
    assert normalize_phone("0123") == ""


def test_keys_can_be_rotated_without_losing_a_value(settings):
    old_key = settings.PERSONAL_DATA_KEYS[0]
    account = make_citizen()
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, old_key]
    call_command("rotate_personal_data_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.PERSONAL_DATA_KEYS = [new_key]
    assert Account.objects.get(pk=account.pk).id_number == "001088012345"
    assert Account.objects.get(pk=account.pk).phones.get().number == "0912345678"


def test_a_new_hash_key_recomputes_the_lookups(settings):
    account = make_citizen()
    settings.PERSONAL_DATA_HASH_KEY = "another-lookup-key-for-the-test"
    assert citizen_by_id("001088012345") is None
    call_command("rotate_personal_data_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert citizen_by_id("001088012345") == account
