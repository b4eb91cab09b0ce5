import datetime as dt
from decimal import Decimal

from motcua.catalog import eforms
from motcua.catalog.timing import StepTime, validate_process

WD = "working_days"


def test_process_must_sum_to_the_legal_time():
    steps = [StepTime(Decimal(1), WD), StepTime(Decimal(10), WD), StepTime(Decimal(1), WD)]
    assert validate_process(steps, Decimal(12), WD) == []
    assert validate_process(steps, Decimal(15), WD)


def test_parallel_steps_count_once_and_hours_convert():
    steps = [
        StepTime(Decimal(1), WD),
        StepTime(Decimal(5), WD, parallel_group=1),
        StepTime(Decimal(4), WD, parallel_group=1),
        StepTime(Decimal(16), "working_hours"),
    ]
    assert validate_process(steps, Decimal(8), WD) == []
    same_day = [StepTime(Decimal(4), "working_hours"), StepTime(Decimal(5), "working_hours")]
    assert validate_process(same_day, Decimal(0), "same_day")  # 9 h > one working day
    assert validate_process([StepTime(Decimal(1), "months")], Decimal(5), WD)


SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ tên", "maxLength": 10},
        "so_dinh_danh": {"type": "string", "title": "Số định danh", "pattern": "\\d{12}"},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "loai": {"type": "string", "enum": ["a", "b"], "title": "Loại"},
        "so_ban": {"type": "integer", "minimum": 1, "maximum": 5, "title": "Số bản"},
        "dung_han": {"type": "boolean", "title": "Đúng hạn"},
        "ly_do": {"type": "string", "title": "Lý do"},
        "thanh_vien": {
            "type": "array",
            "title": "Thành viên",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "ten": {"type": "string", "title": "Tên"},
                    "tuoi": {"type": "integer", "title": "Tuổi"},
                },
                "required": ["ten"],
            },
        },
    },
    "required": ["ho_ten", "so_dinh_danh", "so_ban", "ly_do"],
}
LAYOUT = {
    "visible_if": {"ly_do": {"field": "dung_han", "equals": False}},
    "prefill": {"ho_ten": "full_name", "so_dinh_danh": "personal_id"},
}


def test_valid_answers_with_hidden_field_and_repeating_group():
    data = {
        "ho_ten": "Lê Văn C",
        "so_dinh_danh": "012345678901",
        "ngay_sinh": "2001-02-03",
        "loai": "a",
        "so_ban": "2",
        "dung_han": "on",
        "thanh_vien__rows": "2",
        "thanh_vien__0__ten": "Con",
        "thanh_vien__0__tuoi": "5",
    }
    form = eforms.build_form(SCHEMA, LAYOUT, data=data)
    # `ly_do` is required but hidden (dung_han is true): not demanded, not returned.
    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers["ngay_sinh"] == "2001-02-03" and answers["so_ban"] == 2
    assert answers["thanh_vien"] == [{"ten": "Con", "tuoi": 5}]
    assert "ly_do" not in answers


def test_vietnamese_errors_and_conditional_required():
    data = {
        "ho_ten": "Tên quá dài hơn mười ký tự",
        "so_dinh_danh": "123",
        "so_ban": "9",
        "thanh_vien__rows": "1",
        "thanh_vien__0__tuoi": "5",
    }
    form = eforms.build_form(SCHEMA, LAYOUT, data=data)
    assert not form.is_valid()
    assert "dài quá 10 ký tự" in form.errors["ho_ten"][0]
    assert "không đúng định dạng" in form.errors["so_dinh_danh"][0]
    assert "không được lớn hơn 5" in form.errors["so_ban"][0]
    assert form.errors["ly_do"] == ["Vui lòng nhập “Lý do”."]  # visible: dung_han unticked
    assert form.errors["thanh_vien__0__ten"] == ["Vui lòng nhập “Tên”."]


def test_add_row_and_prefill_from_profile():
    form = eforms.build_form(
        SCHEMA, LAYOUT, data={"thanh_vien__rows": "1", "_add_row": "thanh_vien"}
    )
    assert "thanh_vien__1__ten" in form.fields

    class Profile:
        is_authenticated = True
        full_name = "Nguyễn Văn A"
        personal_id = "001090000001"
        date_of_birth = dt.date(1990, 1, 1)

    form = eforms.build_form(SCHEMA, LAYOUT, user=Profile())
    assert form["ho_ten"].value() == "Nguyễn Văn A"
    assert form["so_dinh_danh"].value() == "001090000001"


def test_definition_validation():
    assert eforms.validate_definition(SCHEMA, LAYOUT) == []
    bad = {"type": "object", "properties": {"X": {"type": "file"}}, "required": ["y"]}
    errors = eforms.validate_definition(bad, {"prefill": {"X": "password"}})
    assert len(errors) >= 3
    assert eforms.parse_json("{oops")[1].startswith("JSON không hợp lệ")


def test_conditional_fields_have_no_html_required_attribute():
    html = str(eforms.build_form(SCHEMA, LAYOUT)["ly_do"])
    assert " required" not in html and 'aria-required="true"' in html
    assert " required" in str(eforms.build_form(SCHEMA, LAYOUT)["ho_ten"])
