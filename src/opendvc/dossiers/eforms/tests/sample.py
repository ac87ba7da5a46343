"""A small definition using every field type, shared by the e-form tests."""

import copy

GENDER = [{"value": "male", "label_vi": "Nam"}, {"value": "female", "label_vi": "Nữ"}]

SAMPLE = {
    "version": 1,
    "title_vi": "Tờ khai mẫu",
    "steps": [
        {
            "key": "applicant",
            "title_vi": "Người khai",
            "fields": [
                {
                    "key": "full_name",
                    "type": "text",
                    "label_vi": "Họ và tên",
                    "required": True,
                    "max_length": 50,
                    "prefill": ["registry.full_name", "profile.full_name"],
                    "help_vi": "Như trên thẻ căn cước",
                },
                {
                    "key": "date_of_birth",
                    "type": "date",
                    "label_vi": "Ngày sinh",
                    "required": True,
                    "max": "today",
                    "min": "1900-01-01",
                    "prefill": "registry.date_of_birth",
                },
                {
                    "key": "gender",
                    "type": "choice",
                    "label_vi": "Giới tính",
                    "required": True,
                    "choices": GENDER,
                    "prefill": ["registry.gender", "profile.gender"],
                },
                {
                    "key": "id_number",
                    "type": "id_number",
                    "label_vi": "Số định danh cá nhân",
                    "required": True,
                    "prefill": "registry.id_number",
                },
                {
                    "key": "phone",
                    "type": "phone",
                    "label_vi": "Số điện thoại",
                    "required": True,
                    "prefill": "profile.phone",
                },
                {"key": "email", "type": "email", "label_vi": "Thư điện tử", "prefill": "profile.email"},
                {
                    "key": "address",
                    "type": "address",
                    "label_vi": "Nơi cư trú",
                    "required": True,
                    "prefill": ["registry.address", "profile.address"],
                },
                {"key": "occupation", "type": "text", "label_vi": "Nghề nghiệp", "prefill": "previous"},
            ],
        },
        {
            "key": "details",
            "title_vi": "Nội dung",
            "fields": [
                {
                    "key": "purpose",
                    "type": "choice",
                    "label_vi": "Mục đích",
                    "required": True,
                    "choices": [
                        {"value": "work", "label_vi": "Đi làm"},
                        {"value": "other", "label_vi": "Khác"},
                    ],
                },
                {
                    "key": "purpose_other",
                    "type": "text",
                    "label_vi": "Mục đích khác",
                    "required": True,
                    "when": {"field": "purpose", "equals": "other"},
                },
                {
                    "key": "area",
                    "type": "number",
                    "label_vi": "Diện tích",
                    "decimals": 1,
                    "unit": "m²",
                    "min": 1,
                    "max": 1000,
                },
                {
                    "key": "copies",
                    "type": "number",
                    "label_vi": "Số bản",
                    "required": True,
                    "min": 1,
                    "max": 10,
                    "default": 1,
                },
                {"key": "capital", "type": "money", "label_vi": "Vốn kinh doanh", "required": True},
                {"key": "note", "type": "textarea", "label_vi": "Ghi chú", "max_length": 20},
                {
                    "key": "code",
                    "type": "text",
                    "label_vi": "Mã bảo hiểm xã hội",
                    "pattern": r"\d{10}",
                    "pattern_message_vi": "Mã bảo hiểm xã hội gồm đúng 10 chữ số",
                },
                {"key": "has_children", "type": "yes_no", "label_vi": "Bạn có con?", "required": True},
                {
                    "key": "children",
                    "type": "group",
                    "label_vi": "Các con",
                    "repeatable": True,
                    "min_items": 1,
                    "max_items": 3,
                    "item_label_vi": "Người con",
                    "when": {"field": "has_children", "is_true": True},
                    "fields": [
                        {"key": "full_name", "type": "text", "label_vi": "Họ và tên con", "required": True},
                        {
                            "key": "date_of_birth",
                            "type": "date",
                            "label_vi": "Ngày sinh của con",
                            "max": "today",
                        },
                        {
                            "key": "relationship",
                            "type": "choice",
                            "label_vi": "Quan hệ",
                            "required": True,
                            "choices": [
                                {"value": "child", "label_vi": "Con đẻ"},
                                {"value": "other", "label_vi": "Khác"},
                            ],
                        },
                        {
                            "key": "relationship_other",
                            "type": "text",
                            "label_vi": "Quan hệ khác",
                            "required": True,
                            "when": {"field": "children.relationship", "equals": "other"},
                        },
                    ],
                },
                {
                    "key": "spouse",
                    "type": "group",
                    "label_vi": "Vợ hoặc chồng",
                    "fields": [
                        {"key": "full_name", "type": "text", "label_vi": "Họ và tên vợ hoặc chồng"},
                        {
                            "key": "id_number",
                            "type": "id_number",
                            "label_vi": "Số định danh của vợ hoặc chồng",
                        },
                    ],
                },
            ],
        },
        {
            "key": "documents",
            "title_vi": "Giấy tờ",
            "fields": [
                {
                    "key": "birth_notice",
                    "type": "file",
                    "label_vi": "Giấy chứng sinh",
                    "document": 2,
                    "required": True,
                },
                {
                    "key": "power_of_attorney",
                    "type": "file",
                    "label_vi": "Văn bản ủy quyền",
                    "document": 7,
                    "required": True,
                    "when": {"field": "purpose", "equals": "other"},
                },
            ],
        },
    ],
}

VALID = {
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "1988-05-12",
    "gender": "male",
    "id_number": "001088012345",
    "phone": "0912345678",
    "email": "an@example.vn",
    "address": {"province": "01", "commune": "00070", "detail": "Số 12 phố Hàng Bông"},
    "purpose": "work",
    "copies": "2",
    "capital": "1.500.000",
    "has_children": "no",
    "spouse": {},
}


def sample() -> dict:
    return copy.deepcopy(SAMPLE)


def valid(**changes) -> dict:
    data = copy.deepcopy(VALID)
    data.update(changes)
    return data
