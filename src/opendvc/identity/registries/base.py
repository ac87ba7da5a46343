"""The ports: what the portal asks of each external registry, and what it gets back.

Every method may raise `RegistryUnavailable` (down, timed out, answered garbage); callers turn it into
"temporarily unavailable, try again" and must leave nothing half created. "Not found" is not an error:
it is `None`.
"""

from dataclasses import dataclass
from datetime import date
from typing import Protocol


class RegistryUnavailable(Exception):
    """The registry could not answer now (after the adapter's retries)."""

    def __init__(self, registry: str, detail: str = ""):
        super().__init__(f"{registry} unavailable: {detail}" if detail else f"{registry} unavailable")
        self.registry = registry
        self.detail = detail


class MobileSignatureNotSubscribed(Exception):
    """The phone has no SIM signature service (no SIM PKI certificate) at its carrier. It does not carry
    the number: the caller has it."""

    def __init__(self):
        super().__init__("the phone has no SIM signature service")


@dataclass(frozen=True)
class PersonRecord:
    """A person in the national population database (CSDLQG về dân cư)."""

    id_number: str  # 12-digit personal identification number
    full_name: str  # NFC
    date_of_birth: date
    gender: str  # "male" | "female"
    address: str  # permanent residence
    old_id_number: str = ""  # the 9-digit ID card number (CMND), if the person had one
    deceased: bool = False


@dataclass(frozen=True)
class Subscriber:
    """The owner of a mobile number as the carrier registered them ("chính chủ")."""

    phone: str  # national form, 10 digits
    carrier: str  # "viettel" | "vinaphone" | "mobifone" | ...
    id_number: str  # the ID the subscription is registered to
    full_name: str
    date_of_birth: date | None


@dataclass(frozen=True)
class InsuredPerson:
    """A person in the social-insurance registry (BHXH Việt Nam)."""

    social_insurance_number: str  # 10 digits
    id_number: str
    full_name: str
    phone: str  # the phone registered with social insurance


@dataclass(frozen=True)
class SignatureRequestStatus:
    """The state of a mobile-signature request: 'pending', 'approved', 'refused' or 'expired'.

    When approved, `signature` is a DER CMS SignedData (detached) over the requested data and
    `certificate` the signer's DER certificate."""

    state: str
    signature: bytes | None = None
    certificate: bytes | None = None


class PopulationRegistry(Protocol):
    def lookup(self, id_number: str) -> PersonRecord | None:
        """The person with this 12-digit ID, or with this old 9-digit ID number; None if unknown."""


class CarrierRegistry(Protocol):
    def subscriber(self, phone: str) -> Subscriber | None:
        """The registered owner of a mobile number; None if the number is not registered to anyone."""


class SocialInsuranceRegistry(Protocol):
    def lookup(self, social_insurance_number: str) -> InsuredPerson | None: ...


class MobileSignatureService(Protocol):
    def request_signature(self, phone: str, data: bytes, message: str) -> str:
        """Ask the SIM of `phone` to sign `data`, showing `message` on the phone. Returns a request id."""

    def status(self, request_id: str) -> SignatureRequestStatus: ...
