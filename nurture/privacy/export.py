"""What the Lab holds about a person, gathered for a data access request (PDPO s18, s19).

Each app contributes one function that takes a user and returns a `Contribution`: the
records it holds about that person (plain dictionaries) and the files that belong to them.
Register it with the decorator, in the app's `personal_data.py`, which the app's
`AppConfig.ready()` imports:

    from nurture.privacy.export import Contribution, personal_data, rows

    @personal_data("mentoring")
    def mentoring_records(user) -> Contribution:
        return Contribution(records={"sessions": rows(Session.objects.filter(founder=user))})

`build_export(user)` writes one ZIP: `data.json` with every contribution under its name,
and `files/<name>/<stored file name>` for the files. A contribution must hold records
*about this person only*: the tests build two similar people and check neither export holds
anything of the other.
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone


@dataclass
class Contribution:
    records: dict[str, list[dict]] = field(default_factory=dict)
    files: list[tuple[str, FieldFile]] = field(default_factory=list)


REGISTRY: dict[str, Callable[[object], Contribution]] = {}


def personal_data(name: str):
    """Register an app's contribution to the export under a unique name."""

    def register(function: Callable[[object], Contribution]):
        if name in REGISTRY and REGISTRY[name] is not function:
            raise ValueError(f"A personal-data contribution named {name!r} exists already.")
        REGISTRY[name] = function
        return function

    return register


def row(instance: models.Model, *, exclude: Iterable[str] = ()) -> dict:
    """A model instance as a plain dictionary of its concrete fields (foreign keys by id)."""
    skip = set(exclude)
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in skip:
            continue
        value = getattr(instance, f.attname)
        if isinstance(value, FieldFile):
            value = value.name or ""
        data[f.attname if f.is_relation else f.name] = value
    return data


def rows(queryset, *, exclude: Iterable[str] = ()) -> list[dict]:
    return [row(instance, exclude=exclude) for instance in queryset]


def collect(user) -> dict[str, Contribution]:
    return {name: REGISTRY[name](user) for name in sorted(REGISTRY)}


def build_export(user) -> bytes:
    """The ZIP of everything held about the person: data.json plus their files."""
    parts = collect(user)
    document = {
        "generated_at": timezone.now(),
        "subject": {"id": user.pk, "email": user.email},
        "data": {name: part.records for name, part in parts.items()},
        "files": [],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            for label, file in part.files:
                if not file:
                    continue
                arcname = f"files/{name}/{PurePath(label).name}"
                try:
                    with file.open("rb") as handle:
                        archive.writestr(arcname, handle.read())
                except FileNotFoundError:
                    document["files"].append({"name": arcname, "missing": True})
                    continue
                document["files"].append({"name": arcname, "stored_as": file.name})
        archive.writestr(
            "data.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
    return buffer.getvalue()
