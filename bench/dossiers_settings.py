"""Settings of bench/dossiers.py: the production settings, with

- static files collected into a temporary directory (`BENCH_STATIC_ROOT`), not var/static;
- the prototype lookup of bench/dossiers_fastpath.py added after the project's URLs;
- `BENCH_CONN_HEALTH_CHECKS=0` to measure the server without Django's per-request `SELECT 1`.
"""

import os
from pathlib import Path

from opendvc.settings import *  # noqa: F403
from opendvc.settings import DATABASES

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
ROOT_URLCONF = "dossiers_urls"
if os.environ.get("BENCH_CONN_HEALTH_CHECKS") == "0":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
