"""Identity: the external systems that vouch for who a person is, behind ports.

Owns the interfaces and adapters of the population registry, the carriers' subscriber registries, the
social-insurance registry and the mobile-signature service, and the verification of certificates and
CMS signatures (USB token, SIM PKI). Each port has a production HTTP adapter and a local reference
adapter, chosen in settings (`IDENTITY_ADAPTERS`). It keeps no accounts: `accounts` uses it.
"""
