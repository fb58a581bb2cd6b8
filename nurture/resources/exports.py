"""A startup's statement as CSV, XLSX and PDF: every entry with each account's running balance.

Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
carriage return) are written as text: prefixed with an apostrophe in CSV, typed as strings in
XLSX. Numbers stay numbers.

The PDF uses the first font it finds among PDF_FONT_PATHS (a setting, defaulting to common
places of Noto Sans CJK and DejaVu Sans). A font that covers Chinese lets the PDF speak the
reader's language; otherwise the PDF is in English and any character the font lacks (for
example Chinese in a memo or a startup's name) is shown as "?", which the PDF says in its
footer: the CSV and XLSX keep every character.
"""

import csv
import io
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from nurture.startups.models import Startup

from .models import AccountKind, Resource, TransactionKind, Unit
from .selectors import StartupStatementLine

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansTC-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
# One character of Traditional Chinese that a CJK-capable font must have.
CJK_PROBE = ord("額")


def _local(value: datetime) -> datetime:
    return timezone.localtime(value).replace(tzinfo=None)


def columns() -> list[str]:
    return [
        _("Resource"),
        _("Unit"),
        _("Account"),
        _("Entry"),
        _("Transaction"),
        _("Posted (Hong Kong time)"),
        _("Kind"),
        _("Memo"),
        _("Amount"),
        _("Balance after"),
    ]


def _values(line: StartupStatementLine) -> list:
    return [
        str(Resource(line.resource).label),
        line.unit,
        str(AccountKind(line.account_kind).label),
        line.entry_id,
        line.transaction_id,
        _local(line.posted_at),
        str(TransactionKind(line.kind).label),
        line.memo,
        line.amount,
        line.balance,
    ]


def filename(startup: Startup, fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"statement-startup-{startup.pk}-{stamp}.{fmt}"


def render(fmt: str, startup: Startup, lines: list[StartupStatementLine]) -> bytes:
    if fmt == "csv":
        return statement_csv(startup, lines)
    if fmt == "xlsx":
        return statement_xlsx(startup, lines)
    if fmt == "pdf":
        return statement_pdf(startup, lines)
    raise ValueError(fmt)


# --- CSV and XLSX ---------------------------------------------------------------------------


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal | int):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def statement_csv(startup: Startup, lines: list[StartupStatementLine]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")  # so that spreadsheet programs read the file as UTF-8
    writer.writerow(columns())
    for line in lines:
        writer.writerow([csv_cell(value) for value in _values(line)])
    return out.getvalue().encode("utf-8")


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        # openpyxl would store "=..." as a formula; every text stays text.
        cell.data_type = "s"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, Decimal):
        cell.number_format = "#,##0.00##"
    return cell


def statement_xlsx(startup: Startup, lines: list[StartupStatementLine]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Statement")[:31])
    sheet.append([_xlsx_cell(sheet, str(header)) for header in columns()])
    for line in lines:
        sheet.append([_xlsx_cell(sheet, value) for value in _values(line)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _font(paths: tuple[str, ...]) -> tuple[str | None, frozenset[int]]:
    """The first readable font of `paths` and the characters it covers."""
    from fontTools.ttLib import TTCollection, TTFont

    for path in paths:
        if not Path(path).is_file():
            continue
        try:
            font = TTCollection(path).fonts[0] if path.endswith(".ttc") else TTFont(path, lazy=True)
            return path, frozenset(font.getBestCmap())
        except Exception:  # noqa: BLE001, S112 - an unreadable font is skipped for the next
            continue
    # The PDF core fonts: printable Latin-1.
    return None, frozenset(range(32, 127)) | frozenset(range(160, 256))


def pdf_font() -> tuple[str | None, frozenset[int]]:
    return _font(tuple(getattr(settings, "PDF_FONT_PATHS", DEFAULT_FONT_PATHS)))


def statement_pdf(startup: Startup, lines: list[StartupStatementLine]) -> bytes:
    path, covered = pdf_font()
    language = translation.get_language()
    if CJK_PROBE not in covered:
        language = "en"
    with translation.override(language):
        return _pdf(startup, lines, path, covered)


def _pdf(startup, lines, path, covered) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    replaced = False

    def text(value) -> str:
        nonlocal replaced
        raw = csv_cell(value) if not isinstance(value, str) else value
        out = "".join(char if ord(char) in covered or char == "\n" else "?" for char in raw)
        replaced = replaced or out != raw
        return out

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    if path and path.endswith(".ttc"):
        pdf.add_font("body", fname=path, collection_font_number=0)
        family = "body"
    elif path:
        pdf.add_font("body", fname=path)
        family = "body"
    else:
        family = "helvetica"
    pdf.add_page()
    pdf.set_font(family, size=14)
    pdf.cell(
        0,
        8,
        text(_("Statement of %(startup)s") % {"startup": startup.name}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(family, size=9)
    pdf.cell(
        0,
        6,
        text(
            _("Every ledger entry with the balance after it, per account. Printed %(when)s.")
            % {"when": _local(timezone.now()).strftime("%Y-%m-%d %H:%M")}
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    widths = (34, 18, 30, 14, 18, 32, 26, 58, 24, 24)
    headers = columns()
    pdf.set_font(family, size=8)
    with pdf.table(
        col_widths=widths,
        text_align=(
            "LEFT",
            "LEFT",
            "LEFT",
            "RIGHT",
            "RIGHT",
            "LEFT",
            "LEFT",
            "LEFT",
            "RIGHT",
            "RIGHT",
        ),
        line_height=5,
        first_row_as_headings=True,
        # One font file, no bold face: headings stand out by their shading.
        headings_style=FontFace(emphasis="", fill_color=(225, 230, 240)),
        repeat_headings=1,
    ) as table:
        table.row([text(header) for header in headers])
        for line in lines:
            values = _values(line)
            values[5] = values[5].strftime("%Y-%m-%d %H:%M")
            values[8] = _amount_text(line.amount, line.unit)
            values[9] = _amount_text(line.balance, line.unit)
            table.row([text(value) for value in values])
    if not lines:
        pdf.ln(4)
        pdf.cell(0, 6, text(_("No entries yet.")), new_x="LMARGIN", new_y="NEXT")
    if replaced:
        pdf.ln(4)
        pdf.set_font(family, size=8)
        pdf.multi_cell(
            0,
            4,
            text(
                _(
                    'Characters that this PDF\'s font cannot show are printed as "?". '
                    "The CSV and XLSX statements keep every character."
                )
            ),
        )
    return bytes(pdf.output())


def _amount_text(amount: Decimal, unit: str) -> str:
    places = 4 if unit == Unit.GPU_HOURS else 2
    return f"{amount:,.{places}f}"
