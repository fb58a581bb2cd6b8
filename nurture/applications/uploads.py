"""Checks on an uploaded pitch deck: its content, not its name, decides whether it is a PDF."""

import io
import logging
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

logging.getLogger("pypdf").setLevel(logging.ERROR)


def clean_filename(name: str) -> str:
    """The last path component only, with control characters and odd separators removed."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        name = "pitch-deck.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name[-150:]


def validate_pitch_deck(upload) -> None:
    limit_mb = settings.MAX_UPLOAD_MB
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": upload.size / 1024 / 1024, "limit": limit_mb},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" not in head:
        raise ValidationError(
            _("This file is not a PDF. Please export your pitch deck as PDF."), code="not_pdf"
        )
    try:
        data = upload.read()
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationError(
                _("This PDF is password-protected. Please upload it without a password."),
                code="encrypted",
            )
        pages = len(reader.pages)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise ValidationError(
            _("This PDF could not be read; it may be damaged. Please export it again."),
            code="damaged",
        ) from exc
    finally:
        upload.seek(0)
    if pages == 0:
        raise ValidationError(_("This PDF has no pages."), code="no_pages")
