"""Shared form pieces: the multiple choice of rows that refuses ids beyond 64 bits."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms

import nurture
from nurture.core.forms import ModelMultipleChoiceField
from nurture.programmes.models import Sector


class SectorsForm(forms.Form):
    sectors = ModelMultipleChoiceField(queryset=Sector.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["9223372036854775808", "-9223372036854775809", "1" + "0" * 40, "x", "1.5"]
)
def test_an_id_no_column_can_hold_is_an_invalid_choice(value):
    form = SectorsForm({"sectors": [value]})
    assert not form.is_valid()
    assert "sectors" in form.errors


@pytest.mark.django_db
def test_real_ids_are_chosen():
    sector = Sector.objects.first()
    form = SectorsForm({"sectors": [str(sector.pk)]})
    assert form.is_valid()
    assert list(form.cleaned_data["sectors"]) == [sector]


def _form_classes():
    for info in pkgutil.walk_packages(nurture.__path__, "nurture."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_multiple_choice_of_rows_refuses_huge_ids():
    plain = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if type(field) is forms.ModelMultipleChoiceField
    ]
    assert plain == [], "use nurture.core.forms.ModelMultipleChoiceField"
