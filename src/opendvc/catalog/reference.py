"""Reference data the catalogue cannot work without: the kinds of agency (docs/catalogue-format.md).

Append-only: migration 0003 loads it, and `ensure_agency_kinds` restores it after a test flush.
"""

AGENCY_KINDS = [
    ("bo-cong-an", "central", "Bộ Công an", "Ministry of Public Security"),
    ("cuc-xuat-nhap-canh", "central", "Cục Quản lý xuất nhập cảnh, Bộ Công an", "Immigration Department"),
    ("bo-tu-phap", "central", "Bộ Tư pháp", "Ministry of Justice"),
    ("trung-tam-lltp", "central", "Trung tâm Lý lịch tư pháp quốc gia", "National Criminal Records Centre"),
    ("bo-tai-chinh", "central", "Bộ Tài chính", "Ministry of Finance"),
    ("cuc-thue", "central", "Cục Thuế, Bộ Tài chính", "Tax Department"),
    ("bhxh-vn", "central", "Bảo hiểm xã hội Việt Nam", "Vietnam Social Security"),
    ("bo-xay-dung", "central", "Bộ Xây dựng", "Ministry of Construction"),
    (
        "bo-nong-nghiep-moi-truong",
        "central",
        "Bộ Nông nghiệp và Môi trường",
        "Ministry of Agriculture and Environment",
    ),
    ("bo-noi-vu", "central", "Bộ Nội vụ", "Ministry of Home Affairs"),
    ("bo-y-te", "central", "Bộ Y tế", "Ministry of Health"),
    ("bo-ngoai-giao", "central", "Bộ Ngoại giao", "Ministry of Foreign Affairs"),
    ("bo-cong-thuong", "central", "Bộ Công Thương", "Ministry of Industry and Trade"),
    ("bo-giao-duc-dao-tao", "central", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training"),
    ("ubnd-tinh", "province", "Ủy ban nhân dân tỉnh, thành phố", "Provincial People's Committee"),
    ("so-tu-phap", "province", "Sở Tư pháp", "Department of Justice"),
    ("cong-an-tinh", "province", "Công an tỉnh, thành phố", "Provincial Police"),
    ("so-tai-chinh", "province", "Sở Tài chính", "Department of Finance"),
    ("thue-tinh", "province", "Thuế tỉnh, thành phố", "Provincial Tax Office"),
    ("bhxh-tinh", "province", "Bảo hiểm xã hội tỉnh, thành phố", "Provincial Social Security"),
    ("so-xay-dung", "province", "Sở Xây dựng", "Department of Construction"),
    (
        "so-nong-nghiep-moi-truong",
        "province",
        "Sở Nông nghiệp và Môi trường",
        "Department of Agriculture and Environment",
    ),
    ("so-noi-vu", "province", "Sở Nội vụ", "Department of Home Affairs"),
    ("so-y-te", "province", "Sở Y tế", "Department of Health"),
    ("so-cong-thuong", "province", "Sở Công Thương", "Department of Industry and Trade"),
    ("so-giao-duc-dao-tao", "province", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("ubnd-xa", "commune", "Ủy ban nhân dân xã, phường", "Commune People's Committee"),
    ("cong-an-xa", "commune", "Công an xã, phường", "Commune Police"),
]


def ensure_agency_kinds(model=None) -> None:
    """Create or update every agency kind (model: the historical model when called from a migration)."""
    if model is None:
        from opendvc.catalog.models import AgencyKind as model
    for slug, level, name_vi, name_en in AGENCY_KINDS:
        model.objects.update_or_create(
            slug=slug, defaults={"level": level, "name_vi": name_vi, "name_en": name_en}
        )
