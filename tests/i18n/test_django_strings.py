"""Django's own strings shown in our pages read Vietnamese (issue 18: "- Select an
option -" appeared in English in two selects of the catalogue editor)."""

from django.utils import translation

from motcua.catalog.models import ProcedureCase, ProcessStep


def test_empty_choice_of_a_select_is_vietnamese():
    with translation.override("vi"):
        for field in (
            ProcedureCase._meta.get_field("processing_time_unit").formfield(),
            ProcessStep._meta.get_field("role").formfield(),
        ):
            assert str(field.choices[0][1]) == "— Chọn —"


def test_english_keeps_django_english():
    with translation.override("en"):
        field = ProcedureCase._meta.get_field("processing_time_unit").formfield()
        assert str(field.choices[0][1]) == "- Select an option -"
