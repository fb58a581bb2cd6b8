"""Reading Slurm accounting records (`sacct --parsable2 --noheader`), one file at a time.

Accepted input: one job per line, fields separated by `|`. Without a header line the first
five fields are, in this order,

    JobID|Account|Start|End|AllocTRES      (or AllocGPUs as the fifth field)

which is what `sacct --allocations --parsable2 --noheader
--format=JobID,Account,Start,End,AllocTRES` prints. With a header line (as `sacct
--parsable2` prints without `--noheader`), columns are found by name, in any order, and
others (State, Cluster, Elapsed, ...) are ignored; the file needs JobID, Account, Start, End
and one of AllocTRES or AllocGPUs.

- JobID: letters, digits, `_` and `+` (array and heterogeneous jobs), at most 64 characters.
  Job steps (`1234.batch`, `1234.0`) are skipped: the allocation's own line carries its GPUs.
- Account: a startup's Slurm account (case does not matter).
- Start, End: `YYYY-MM-DDTHH:MM:SS` in the cluster's time zone. A job still running (End
  `Unknown`) or that never started (Start `Unknown` or `None`) is skipped, and imported by a
  later file once it has ended.
- AllocTRES: the `gres/gpu=N` item gives the GPUs (typed items such as `gres/gpu:a100=N`
  are added when the untyped total is missing); no GPU item means no GPUs. AllocGPUs: a whole
  number. Jobs without GPUs are skipped.

Every row is checked before anything is written: a problem on any row rejects the whole file
with the line numbers. GPU-hours of a job = GPUs × (End − Start) in hours, rounded half up to
a ten-thousandth of an hour (the ledger's scale).
"""

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

JOB_ID = re.compile(r"[0-9A-Za-z_+\-]{1,64}")
# The common line of `sacct --parsable2 --noheader`, matched in one go; any other line takes
# the general path, which checks field by field and names what is wrong.
FAST_LINE = re.compile(
    r"([0-9A-Za-z_+\-]{1,64})\|([a-z0-9][a-z0-9-]*)\|"
    r"(\d{4}-\d\d-\d\dT\d\d):([0-5]\d):([0-5]\d)\|"
    r"(\d{4}-\d\d-\d\dT\d\d):([0-5]\d):([0-5]\d)\|([^|]*)"
)
COLUMNS = ("jobid", "account", "start", "end")
GPU_COLUMNS = ("alloctres", "allocgpus")
NOT_A_TIME = frozenset({"unknown", "none", ""})
# At most this many problems are listed; the count says how many there were.
MAX_PROBLEMS = 100
# Ten-thousandths of an hour per GPU-second, as a ratio (SCALE / 3600).
SCALE = 10_000


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class Parsed:
    """The jobs of a file as parallel compact arrays (a million jobs fit in tens of MB)."""

    job_ids: list[str] = field(default_factory=list)
    accounts: array = field(default_factory=lambda: array("H"))  # index into account_names
    starts: array = field(default_factory=lambda: array("q"))  # UTC epoch seconds
    ends: array = field(default_factory=lambda: array("q"))
    gpus: array = field(default_factory=lambda: array("I"))
    hours: array = field(default_factory=lambda: array("q"))  # ten-thousandths of a GPU-hour
    days: array = field(default_factory=lambda: array("I"))  # ordinal of End's local date
    lines: array = field(default_factory=lambda: array("I"))
    account_names: list[str] = field(default_factory=list)
    # Every job id of the file (also those skipped for having no GPUs).
    seen: set[str] = field(default_factory=set)
    rows: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    def problem(self, line: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, message))


def gpus_from_tres(tres: str) -> int | None:
    """GPUs in an AllocTRES value such as `billing=8,cpu=8,gres/gpu=2,mem=64G,node=1`."""
    at = tres.find("gres/gpu")
    if at < 0:
        return 0
    if tres.startswith("gres/gpu=", at):
        value = tres[at + 9 :].partition(",")[0]
        return int(value) if value.isdigit() else None
    total, typed = None, 0
    for item in tres.split(","):
        name, _sep, value = item.partition("=")
        if name == "gres/gpu":
            if not value.isdigit():
                return None
            total = int(value)
        elif name.startswith("gres/gpu:"):
            if not value.isdigit():
                return None
            typed += int(value)
    return total if total is not None else typed


class LocalClock:
    """Turns sacct's local times into (UTC epoch seconds, local date ordinal), fast.

    The conversion of each local hour is computed once through the time zone and cached, so a
    million jobs cost a million dictionary look-ups rather than two million time-zone
    conversions. Anything but `YYYY-MM-DDTHH:MM:SS` goes through `datetime.fromisoformat`.
    """

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.hours: dict[str, tuple[int, int]] = {}

    def _slow(self, text: str) -> tuple[int, int] | None:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
        if value.tzinfo is not None:
            return None
        return int(value.replace(tzinfo=self.zone).timestamp()), value.toordinal()

    def hour(self, hour: str) -> tuple[int, int] | None:
        """The start of a local hour `YYYY-MM-DDTHH`, cached."""
        base = self.hours.get(hour)
        if base is None:
            base = self._slow(hour + ":00:00")
            if base is None:
                return None
            self.hours[hour] = base
        return base

    def __call__(self, text: str) -> tuple[int, int] | None:
        if len(text) != 19 or text[13] != ":" or text[16] != ":" or text[10] != "T":
            return self._slow(text)
        base = self.hour(text[:13])
        if base is None:
            return None
        minutes, seconds = text[14:16], text[17:19]
        if not (minutes.isdigit() and seconds.isdigit()):
            return None
        minute, second = int(minutes), int(seconds)
        if minute > 59 or second > 59:
            return None
        return base[0] + minute * 60 + second, base[1]


def parse(lines: Iterable[str], *, known_accounts: Iterable[str], time_zone: str) -> Parsed:
    """Check every line and gather the jobs; never raises for bad input (see `problems`)."""
    zone = ZoneInfo(time_zone)
    known = {name.lower() for name in known_accounts}
    parsed = Parsed()
    account_index: dict[str, int] = {}
    first_line: dict[str, int] = {}
    seen = parsed.seen
    positions = (0, 1, 2, 3, 4)
    gpu_kind = None  # "tres" or "gpus"; decided by the header or by the first row
    width = 5
    job_ids, accounts, starts, ends = parsed.job_ids, parsed.accounts, parsed.starts, parsed.ends
    gpus_out, hours_out, days_out, lines_out = parsed.gpus, parsed.hours, parsed.days, parsed.lines
    clock = LocalClock(zone)
    fast = FAST_LINE.fullmatch
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line or line.isspace():
            continue
        if fast is not None and (match := fast(line)) is not None and not parsed.problem_count:
            job_id, account, s_hour, s_min, s_sec, e_hour, e_min, e_sec, gpu_text = match.groups()
            start_at, end_at = clock.hour(s_hour), clock.hour(e_hour)
            if start_at and end_at and account in known and job_id not in seen:
                kind = gpu_kind or ("gpus" if gpu_text.isdigit() else "tres")
                if kind == "gpus":
                    gpu_count = int(gpu_text) if gpu_text.isdigit() else None
                else:
                    gpu_count = gpus_from_tres(gpu_text)
                start = start_at[0] + int(s_min) * 60 + int(s_sec)
                end = end_at[0] + int(e_min) * 60 + int(e_sec)
                if gpu_count and gpu_count <= 65535 and end >= start:
                    parsed.rows += 1
                    seen.add(job_id)
                    index = account_index.get(account)
                    if index is None:
                        index = account_index[account] = len(parsed.account_names)
                        parsed.account_names.append(account)
                    job_ids.append(job_id)
                    accounts.append(index)
                    starts.append(start)
                    ends.append(end)
                    gpus_out.append(gpu_count)
                    hours_out.append((gpu_count * (end - start) * SCALE + 1800) // 3600)
                    days_out.append(end_at[1])
                    lines_out.append(number)
                    continue
        fields = line.split("|")
        if number == 1 and "jobid" in (name.strip().lower() for name in fields):
            names = [name.strip().lower() for name in fields]
            missing = [name for name in COLUMNS if name not in names]
            gpu_name = next((name for name in GPU_COLUMNS if name in names), None)
            if missing or gpu_name is None:
                parsed.problem(
                    number,
                    _("the header lacks %(columns)s.")
                    % {
                        "columns": ", ".join(
                            [*missing, *([] if gpu_name else ["AllocTRES or AllocGPUs"])]
                        )
                    },
                )
                return parsed
            positions = (*(names.index(name) for name in COLUMNS), names.index(gpu_name))
            gpu_kind = "tres" if gpu_name == "alloctres" else "gpus"
            width = len(names)
            fast = None  # columns in another order: field by field
            continue
        parsed.rows += 1
        if len(fields) < width:
            parsed.problem(
                number,
                _("expected %(expected)s fields separated by |, found %(found)s.")
                % {"expected": width, "found": len(fields)},
            )
            continue
        job_id = fields[positions[0]].strip()
        if "." in job_id and JOB_ID.fullmatch(job_id.partition(".")[0]):
            parsed.skipped += 1  # a job step
            continue
        if not JOB_ID.fullmatch(job_id):
            parsed.problem(number, _("“%(value)s” is not a Slurm job id.") % {"value": job_id[:80]})
            continue
        start_text, end_text = fields[positions[2]].strip(), fields[positions[3]].strip()
        if not (start_text[:1].isdigit() and end_text[:1].isdigit()) and (
            start_text.lower() in NOT_A_TIME or end_text.lower() in NOT_A_TIME
        ):
            parsed.skipped += 1  # never started, or still running
            continue
        start_at, end_at = clock(start_text), clock(end_text)
        if start_at is None or end_at is None:
            parsed.problem(
                number,
                _(
                    "Start and End must be dates and times like 2026-11-02T09:00:00, not "
                    "“%(start)s” and “%(end)s”."
                )
                % {"start": start_text[:40], "end": end_text[:40]},
            )
            continue
        gpu_text = fields[positions[4]].strip()
        kind = gpu_kind or ("gpus" if gpu_text.isdigit() else "tres")
        gpu_count = int(gpu_text) if kind == "gpus" and gpu_text.isdigit() else None
        if kind == "tres":
            gpu_count = gpus_from_tres(gpu_text)
        if gpu_count is None:
            parsed.problem(
                number,
                _("“%(value)s” does not give the number of GPUs.") % {"value": gpu_text[:80]},
            )
            continue
        account = fields[positions[1]].strip().lower()
        if account not in known:
            parsed.problem(
                number,
                _("the account “%(account)s” belongs to no startup.") % {"account": account[:80]},
            )
            continue
        start, end = start_at[0], end_at[0]
        if end < start:
            parsed.problem(number, _("the job ends before it starts."))
            continue
        if job_id in seen:
            parsed.problem(
                number,
                _("job %(job)s already appears on line %(line)s.")
                % {"job": job_id, "line": _first_line(parsed, first_line, job_id)},
            )
            continue
        seen.add(job_id)
        if gpu_count == 0:
            parsed.skipped += 1
            continue
        if gpu_count > 65535:
            parsed.problem(number, _("more GPUs than any node holds."))
            continue
        if parsed.problem_count:
            # The file is already rejected: only look for more problems.
            first_line[job_id] = number
            continue
        index = account_index.get(account)
        if index is None:
            index = account_index[account] = len(parsed.account_names)
            parsed.account_names.append(account)
        job_ids.append(job_id)
        accounts.append(index)
        starts.append(start)
        ends.append(end)
        gpus_out.append(gpu_count)
        hours_out.append((gpu_count * (end - start) * SCALE + 1800) // 3600)
        days_out.append(end_at[1])
        lines_out.append(number)
    return parsed


def _first_line(parsed: Parsed, first_line: dict[str, int], job_id: str) -> int | str:
    # Kept cheaply: jobs read before the first problem are in the arrays, later ones in the
    # dictionary; a job skipped for having no GPUs is in neither.
    if job_id in first_line:
        return first_line[job_id]
    try:
        return parsed.lines[parsed.job_ids.index(job_id)]
    except ValueError:
        return "?"


def line_of(parsed: Parsed, job_id: str) -> int:
    return parsed.lines[parsed.job_ids.index(job_id)]


def utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
