"""Ports to the registries (see base.py) and the adapter each is bound to in settings."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from opendvc.identity.registries.base import (  # noqa: F401 - the public names of the port
    CarrierRegistry,
    InsuredPerson,
    MobileSignatureNotSubscribed,
    MobileSignatureService,
    PersonRecord,
    PopulationRegistry,
    RegistryUnavailable,
    SignatureRequestStatus,
    SocialInsuranceRegistry,
    Subscriber,
)


@cache
def adapter(port: str):
    """The configured adapter of a port: settings.IDENTITY_ADAPTERS[port] = {"class": ..., **options}."""
    config = dict(settings.IDENTITY_ADAPTERS[port])
    cls = import_string(config.pop("class"))
    return cls(**config)


def population_registry() -> PopulationRegistry:
    return adapter("population")


def carrier_registry() -> CarrierRegistry:
    return adapter("carrier")


def social_insurance_registry() -> SocialInsuranceRegistry:
    return adapter("social_insurance")


def mobile_signature_service() -> MobileSignatureService:
    return adapter("mobile_signature")


def _forget_adapters(*, setting, **kwargs):
    # Only IDENTITY_ADAPTERS is read when an adapter is made; other settings (MOBILE_SIGNATURE_AUTO_APPROVE)
    # are read by the adapters at each call.
    if setting == "IDENTITY_ADAPTERS":
        adapter.cache_clear()


from django.core.signals import setting_changed  # noqa: E402 - kept next to its receiver

setting_changed.connect(_forget_adapters)
