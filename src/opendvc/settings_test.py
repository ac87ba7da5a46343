"""Settings for the test suite: production settings (DEBUG off) with a throwaway key and test hosts."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("TESTING", "1")
os.environ.pop("REDIS_URL", None)

from opendvc.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Browser tests talk to the live server over plain http://localhost.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns when it is missing
# Imported blank forms go to a scratch directory, not the developer's var/media.
MEDIA_ROOT = Path(tempfile.gettempdir()) / "opendvc-test-media"
# Browser tests type "PASSED" in the captcha box; unit tests check captcha refusals the same way.
CAPTCHA_TEST_MODE = True
# The test CA lives in a scratch directory made by the test session.
PKI_TEST_CA_DIR = Path(tempfile.gettempdir()) / "opendvc-test-pki"
RATELIMIT_USE_CACHE = "default"
