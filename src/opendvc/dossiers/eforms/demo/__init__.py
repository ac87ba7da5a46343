"""Demo e-form definitions of popular procedures of the demo catalogue, one `<procedure code>.json` each,
and divisions.json (provinces and some communes after the 2025 reorganisation) for the address book."""

import json
import re
from pathlib import Path

DIRECTORY = Path(__file__).parent
_CODE = re.compile(r"^\d\.\d{6}$")


def definitions() -> dict[str, dict]:
    """{procedure code: schema} of every demo definition, ordered by code."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(DIRECTORY.glob("*.json"))
        if _CODE.match(path.stem)
    }
