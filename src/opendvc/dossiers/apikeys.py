"""Keys for agency systems pushing their dossiers to the sync API.

A key is shown once, when made; the database keeps its SHA-256 and a short prefix that lets an
administrator tell keys apart. A key is 32 random bytes, so a plain hash (no salt, no stretching) is
enough: nobody can guess one from its hash.
"""

import hashlib
import secrets

from django.utils import timezone

from opendvc.core import audit
from opendvc.dossiers.models import AgencyApiKey

KEY_PREFIX = "dvc_"
PREFIX_LENGTH = 12  # what AgencyApiKey.prefix stores: "dvc_" and 8 characters of the key
# Updating last_used_at on every batch would write the key row 120 times a minute; once a minute is enough.
LAST_USED_PRECISION = 60


def hash_key(raw: str) -> str:
    return hashlib.sha256((raw or "").encode()).hexdigest()


def create_key(*, agency, name: str, actor=None, request=None) -> tuple[AgencyApiKey, str]:
    """A new key for `agency`'s system `name`; returns the record and the key itself (shown once)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("a key needs the name of the system that uses it")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = AgencyApiKey.objects.create(
        agency=agency, name=name[:255], prefix=raw[:PREFIX_LENGTH], key_hash=hash_key(raw)
    )
    audit.record(
        "dossiers.sync_key_created",
        actor=actor,
        target=key,
        request=request,
        agency=agency.code,
        name=key.name,
        prefix=key.prefix,
    )
    return key, raw


def verify_key(raw: str) -> AgencyApiKey | None:
    """The live key `raw` is, with its agency; None for an unknown or revoked key."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    key = (
        AgencyApiKey.objects.select_related("agency")
        .filter(key_hash=hash_key(raw), revoked_at__isnull=True)
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > LAST_USED_PRECISION:
        AgencyApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def revoke_key(key: AgencyApiKey, *, actor=None, request=None) -> AgencyApiKey:
    """Refuse the key from now on (idempotent)."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        AgencyApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=key.revoked_at)
        audit.record(
            "dossiers.sync_key_revoked",
            actor=actor,
            target=key,
            request=request,
            agency=key.agency.code,
            prefix=key.prefix,
        )
    return key
