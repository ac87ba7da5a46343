"""Builders of exchange-format records (docs/catalogue-format.md) for tests that import through the
public seam. Codes start with 9. so they never collide with the demo catalogue."""

import itertools

_codes = itertools.count(1)


def procedure_record(name: str = "Thủ tục thử nghiệm", **overrides) -> dict:
    record = {
        "code": f"9.{next(_codes):06d}",
        "name": {"vi": name, "en": ""},
        "description": None,
        "field": "G06-HT01",
        "audiences": ["citizen"],
        "online_level": "full",
        "agency_levels": ["commune"],
        "agency_kinds": ["ubnd-xa"],
        "channels": ["online", "counter"],
        "steps": [{"vi": "Nộp hồ sơ.", "en": "Submit the dossier."}],
        "documents": [
            {
                "name": {"vi": "Tờ khai", "en": "Form"},
                "kind": "original",
                "copies": 1,
                "template": None,
                "optional": False,
            }
        ],
        "processing_time": {"amount": 3, "unit": "working_days", "note": None},
        "fees": [{"amount": 0, "description": {"vi": "Miễn lệ phí", "en": "Free"}}],
        "result": {"vi": "Giấy xác nhận", "en": "Certificate"},
        "result_kind": "electronic",
        "conditions": None,
        "legal_basis": ["Luật thử nghiệm"],
        "keywords": [],
        "published_on": "2024-01-01",
        "effective_on": "2024-02-01",
        "status": "active",
    }
    record.update(overrides)
    return record
