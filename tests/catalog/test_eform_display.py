"""E-form answers read back with their labels and formatted values (issue 18)."""

from motcua.catalog.eforms import display_value, readable_answers

SCHEMA = {
    "type": "object",
    "properties": {
        "quan_he": {
            "type": "string",
            "title": "Quan hệ với người được khai sinh",
            "enum": ["cha", "me"],
            "enumNames": ["Cha", "Mẹ"],
        },
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "co_giay_chung_sinh": {"type": "boolean", "title": "Có giấy chứng sinh"},
        "so_ban_sao": {"type": "integer", "title": "Số bản sao"},
        "con": {
            "type": "array",
            "title": "Con chung",
            "items": {
                "type": "object",
                "properties": {
                    "ho_ten": {"type": "string", "title": "Họ tên"},
                    "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
                },
            },
        },
    },
}


def test_labels_choices_booleans_dates_and_groups():
    rows = readable_answers(
        SCHEMA,
        {
            "co_giay_chung_sinh": True,
            "quan_he": "me",
            "ngay_sinh": "2026-03-02",
            "so_ban_sao": 2,
            "con": [{"ho_ten": "Bé", "ngay_sinh": "2020-01-05"}],
        },
    )
    assert rows == [
        ("Quan hệ với người được khai sinh", "Mẹ"),
        ("Ngày sinh", "02/03/2026"),
        ("Có giấy chứng sinh", "Có"),
        ("Số bản sao", "2"),
        ("Con chung", "Họ tên: Bé, Ngày sinh: 05/01/2020"),
    ]


def test_false_empty_unknown_and_on_behalf():
    rows = dict(
        readable_answers(
            SCHEMA,
            {
                "co_giay_chung_sinh": False,
                "quan_he": "",
                "khac": "x",
                "_nop_thay": {"ho_ten": "Trần B", "so_dinh_danh": "001"},
            },
        )
    )
    assert rows["Có giấy chứng sinh"] == "Không"
    assert rows["Quan hệ với người được khai sinh"] == "—"
    assert rows["khac"] == "x"
    assert rows["Nộp thay cho"] == "Trần B — 001"


def test_a_value_outside_the_choices_is_shown_as_given():
    assert display_value(SCHEMA["properties"]["quan_he"], "ong") == "ong"
    assert display_value({"type": "string", "format": "date"}, "not a date") == "not a date"


def test_system_notes_are_not_shown_as_answers():
    rows = readable_answers(SCHEMA, {"quan_he": "me", "_sync": {"synced": True}, "_legacy": {}})
    assert rows == [("Quan hệ với người được khai sinh", "Mẹ")]


def test_the_result_document_prints_readable_answers():
    from types import SimpleNamespace

    from motcua.dossiers.services.e_result import _answers

    d = SimpleNamespace(
        procedure_version=SimpleNamespace(form_schema=SCHEMA),
        form_answers={"ngay_sinh": "2026-03-02", "quan_he": "", "_sync": {"synced": True}},
    )
    assert _answers(d) == [("Ngày sinh", "02/03/2026")]
