"""PKI: verification of the detached CMS signatures of USB tokens and SIMs, and the development test CA.

    verify_signature(data, signature, certificate=None, *, at=None) -> VerifiedSigner   (raises PkiError)

`testca` makes the test PKI (trusted only when settings.PKI_TEST_CA_ENABLED) and `signer` signs with its
tokens, as a token plug-in would. docs/pki.md describes the checks, the error codes and the settings.
"""

from opendvc.identity.pki.verify import PkiError, VerifiedSigner, verify_signature

__all__ = ["PkiError", "VerifiedSigner", "verify_signature"]
