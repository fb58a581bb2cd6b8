"""Every write to seed funding: one transaction and one audit entry each.

Four eyes are checked here, against the locked row, so every path (web, API, admin, shell)
gets the same rule; the database's check constraint holds it too. An approval posts the
tranche from the startup's seed-funding balance to its spending account in the ledger under
a key derived from the request, so it posts once however often it is attempted.
"""

import calendar
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nurture.accounts.models import Role, User
from nurture.applications.models import Application, ApplicationState
from nurture.audit.services import audit_record
from nurture.core.mail import send_bilingual_mail
from nurture.programmes.models import BenefitItem, BenefitKind, Programme
from nurture.resources.models import (
    CURRENCIES,
    AccountKind,
    LedgerTransaction,
    Resource,
    TransactionKind,
)
from nurture.resources.services import (
    LedgerError,
    account_open,
    benefits_key,
    benefits_open,
    ledger_post,
)

from .defaults import DEFAULT_TRANCHES
from .models import Disbursement, DisbursementStatus, Tranche, TrancheRule
from .permissions import is_finance_approver, is_programme_staff

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
MAX_MONTHS = 60
ACCOUNT_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z -]{3,39}")


class FundingError(Exception):
    """A refused change; nothing was written. The message is for the person who asked."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _in_each_language(value) -> dict[str, str]:
    result = {}
    for language in ("en", "zh-hant"):
        with translation.override(language):
            result[language] = str(value())
    return result


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- The programme's tranches ---------------------------------------------------------------


def _percent(value) -> Decimal:
    try:
        percent = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise FundingError(_("A share must be a number."), field="percent") from None
    if not percent.is_finite() or percent <= 0 or percent > HUNDRED:
        raise FundingError(_("Each share must be more than 0% and at most 100%."), field="percent")
    if percent != percent.quantize(CENT):
        raise FundingError(_("A share has at most two decimal places."), field="percent")
    return percent


@transaction.atomic
def tranche_rules_update(*, programme: Programme, actor, rules: list[dict]) -> list[TrancheRule]:
    """Replace a programme's tranches. Shares must add up to exactly 100%.

    Each rule is a dict of percent, months_after_start, label, label_zh_hant, milestone and
    milestone_zh_hant. Schedules already drawn up keep their own copy and do not change.
    """
    if not is_programme_staff(actor):
        raise FundingError(_("Only programme staff can change the tranches."), code="forbidden")
    if not rules:
        raise FundingError(_("A programme needs at least one tranche."))
    cleaned = []
    for rule in rules:
        for name in ("label", "label_zh_hant", "milestone", "milestone_zh_hant"):
            no_null_characters(str(rule.get(name) or ""), field=name)
        label = str(rule.get("label") or "").strip()
        if not label:
            raise FundingError(_("Every tranche needs a name."), field="label")
        try:
            months = int(rule.get("months_after_start"))
        except (TypeError, ValueError):
            raise FundingError(
                _("Months after the start must be a whole number."), field="months_after_start"
            ) from None
        if not 0 <= months <= MAX_MONTHS:
            raise FundingError(
                _("Months after the start must be between 0 and %(most)d.") % {"most": MAX_MONTHS},
                field="months_after_start",
            )
        cleaned.append(
            {
                "percent": _percent(rule.get("percent")),
                "months_after_start": months,
                "label": label[:100],
                "label_zh_hant": str(rule.get("label_zh_hant") or "").strip()[:100],
                "milestone": str(rule.get("milestone") or "").strip()[:1000],
                "milestone_zh_hant": str(rule.get("milestone_zh_hant") or "").strip()[:1000],
            }
        )
    total = sum(rule["percent"] for rule in cleaned)
    if total != HUNDRED:
        raise FundingError(
            _("The shares add up to %(total)s%%; they must add up to exactly 100%%.")
            % {"total": format(total.normalize(), "f")},
            code="not_100",
            field="percent",
        )
    # Locks the programme so that two editors do not interleave their replacements.
    Programme.objects.select_for_update().get(pk=programme.pk)
    before = list(
        TrancheRule.objects.filter(programme=programme).values_list(
            "percent", "months_after_start", "label"
        )
    )
    TrancheRule.objects.filter(programme=programme).delete()
    cleaned.sort(key=lambda rule: rule["months_after_start"])
    created = TrancheRule.objects.bulk_create(
        TrancheRule(programme=programme, position=position, **rule)
        for position, rule in enumerate(cleaned, start=1)
    )
    audit_record(
        actor=actor,
        action="funding.tranches_updated",
        target=programme,
        summary=_("Tranches of %(programme)s changed") % {"programme": programme.name},
        data={
            "before": [[str(p), m, label] for p, m, label in before],
            "after": [[str(r.percent), r.months_after_start, r.label] for r in created],
        },
    )
    return created


def tranche_rules_for(programme: Programme) -> list[TrancheRule]:
    """The programme's tranches; the defaults are written for a programme that has none."""
    rules = list(TrancheRule.objects.filter(programme=programme).order_by("position"))
    if rules:
        return rules
    with transaction.atomic():
        Programme.objects.select_for_update().get(pk=programme.pk)
        rules = list(TrancheRule.objects.filter(programme=programme).order_by("position"))
        if not rules:
            rules = TrancheRule.objects.bulk_create(
                TrancheRule(
                    programme=programme,
                    position=position,
                    percent=percent,
                    months_after_start=months,
                    label=label,
                    label_zh_hant=label_zh,
                    milestone=milestone,
                    milestone_zh_hant=milestone_zh,
                )
                for position, (percent, months, label, label_zh, milestone, milestone_zh) in (
                    enumerate(DEFAULT_TRANCHES, start=1)
                )
            )
    return rules


# --- A startup's schedule -------------------------------------------------------------------


def seed_entitlement(application: Application) -> tuple[Decimal, str]:
    """The seed funding promised to an admitted startup: as posted when its benefits opened,
    otherwise as the programme's benefit package says."""
    keys = {benefits_key(application, Resource.SEED_FUNDING, unit): unit for unit in CURRENCIES}
    posted = (
        LedgerTransaction.objects.filter(idempotency_key__in=keys)
        .prefetch_related("entries")
        .first()
    )
    if posted is not None:
        amount = max(entry.amount for entry in posted.entries.all())
        return amount, keys[posted.idempotency_key]
    totals: dict[str, Decimal] = {}
    for item in BenefitItem.objects.filter(
        programme_id=application.cohort.programme_id, kind=BenefitKind.SEED_FUNDING, amount__gt=0
    ):
        totals[item.unit] = totals.get(item.unit, Decimal(0)) + item.amount
    if not totals:
        raise FundingError(
            _("The programme's benefit package has no seed funding."), code="no_entitlement"
        )
    if len(totals) > 1 or next(iter(totals)) not in CURRENCIES:
        raise FundingError(
            _("The seed funding must be in one currency (USD or HKD) to be split into tranches."),
            code="no_entitlement",
        )
    ((unit, amount),) = totals.items()
    return amount, unit


def split_amount(total: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """`total` split by shares that add up to 100, to the cent: each share rounded half up,
    the last taking the remainder, so the parts add up to `total` exactly.

    Refused when a part would come to nothing (an entitlement too small for its tranches).
    """
    parts, given = [], Decimal(0)
    for index, percent in enumerate(percents):
        if index == len(percents) - 1:
            part = total - given
        else:
            part = (total * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        if part <= 0:
            raise FundingError(
                _("The seed funding of %(total)s is too small to split into these tranches.")
                % {"total": total},
                code="no_entitlement",
            )
        given += part
        parts.append(part)
    return parts


def tranche_plan(application: Application) -> list[Tranche]:
    """The schedule the programme's rules give this startup (unsaved): the last tranche takes
    the rounding, so the tranches add up to the entitlement to the cent."""
    total, currency = seed_entitlement(application)
    rules = tranche_rules_for(application.cohort.programme)
    amounts = split_amount(total, [rule.percent for rule in rules])
    tranches = []
    for rule, amount in zip(rules, amounts, strict=True):
        tranches.append(
            Tranche(
                application=application,
                position=rule.position,
                percent=rule.percent,
                amount=amount,
                currency=currency,
                due_on=add_months(application.cohort.starts_on, rule.months_after_start),
                label=rule.label,
                label_zh_hant=rule.label_zh_hant,
                milestone=rule.milestone,
                milestone_zh_hant=rule.milestone_zh_hant,
            )
        )
    return tranches


@transaction.atomic
def tranche_schedule_create(*, application: Application, actor) -> list[Tranche]:
    """Draw up an admitted startup's schedule from its programme's tranches, once.

    Drawing up again returns the schedule that exists; it is a copy, so later changes to the
    programme's tranches do not alter it.
    """
    if actor is not None and not is_programme_staff(actor):
        raise FundingError(_("Only programme staff can draw up schedules."), code="forbidden")
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("cohort__programme", "startup")
        .get(pk=application.pk)
    )
    existing = list(application.tranches.order_by("position"))
    if existing:
        return existing
    if application.state != ApplicationState.ACCEPTED:
        raise FundingError(
            _(
                "Only an admitted startup has a seed-funding schedule; "
                "this application is %(state)s."
            )
            % {"state": application.get_state_display().lower()},
            code="not_accepted",
        )
    tranches = Tranche.objects.bulk_create(tranche_plan(application))
    audit_record(
        actor=actor,
        action="funding.schedule_created",
        target=application,
        summary=_("Seed-funding schedule drawn up for %(startup)s")
        % {"startup": application.startup.name},
        data={"tranches": [[str(t.amount), t.currency, str(t.due_on)] for t in tranches]},
    )
    return tranches


def cohort_schedules_create(*, cohort, actor) -> int:
    """Draw up the schedule of every admitted startup of a cohort that has none; how many."""
    if not is_programme_staff(actor):
        raise FundingError(_("Only programme staff can draw up schedules."), code="forbidden")
    made = 0
    for application in Application.objects.filter(
        cohort=cohort, state=ApplicationState.ACCEPTED, tranches__isnull=True
    ).select_related("cohort__programme", "startup"):
        tranche_schedule_create(application=application, actor=actor)
        made += 1
    return made


# --- Disbursements --------------------------------------------------------------------------


def no_null_characters(text: str, *, field: str, error=None) -> str:
    """PostgreSQL cannot store U+0000 in text; refuse it as bad input rather than fail later."""
    if "\x00" in text:
        raise (error or FundingError)(_("Null characters are not allowed."), field=field)
    return text


def _text(value, *, field: str, message: str, limit: int) -> str:
    text = no_null_characters(str(value or "").strip(), field=field)
    if not text:
        raise FundingError(message, field=field)
    if len(text) > limit:
        raise FundingError(_("At most %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def _emails_of_role(role: str) -> list[str]:
    return list(
        User.objects.filter(role=role, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _tranche_context(tranche: Tranche) -> dict:
    return {
        "startup_name": tranche.application.startup.name,
        "cohort_name": _in_each_language(lambda: tranche.application.cohort.display_name),
        "tranche": {"en": tranche.label, "zh-hant": tranche.label_zh_hant or tranche.label},
        "amount": f"{tranche.currency} {tranche.amount:,.2f}",
        "due_on": tranche.due_on.isoformat(),
    }


@transaction.atomic
def disbursement_request(
    *,
    tranche: Tranche,
    actor,
    evidence: str,
    bank_account_name: str,
    bank_name: str,
    bank_account_number: str,
) -> Disbursement:
    """A programme manager asks finance to pay a due tranche; at most one open request each."""
    if not is_programme_staff(actor):
        raise FundingError(_("Only programme staff can request a disbursement."), code="forbidden")
    evidence = _text(
        evidence,
        field="evidence",
        message=_("Describe the milestone evidence for finance."),
        limit=4000,
    )
    account_name = _text(
        bank_account_name,
        field="bank_account_name",
        message=_("Give the name on the bank account."),
        limit=200,
    )
    bank = _text(bank_name, field="bank_name", message=_("Give the bank."), limit=200)
    number = _text(
        bank_account_number,
        field="bank_account_number",
        message=_("Give the account number."),
        limit=40,
    )
    if not ACCOUNT_NUMBER.fullmatch(number):
        raise FundingError(
            _("An account number has 4 to 40 letters, digits, spaces or hyphens."),
            field="bank_account_number",
        )
    tranche = (
        Tranche.objects.select_for_update(of=("self",))
        .select_related("application__startup", "application__cohort")
        .get(pk=tranche.pk)
    )
    if tranche.application.state != ApplicationState.ACCEPTED:
        raise FundingError(
            _("The startup is no longer admitted; its tranches cannot be paid."),
            code="not_accepted",
        )
    if not tranche.is_due():
        raise FundingError(
            _("This tranche is due on %(day)s; it can be requested from then.")
            % {"day": tranche.due_on.isoformat()},
            code="not_due",
        )
    live = tranche.disbursements.filter(
        status__in=[DisbursementStatus.PENDING, DisbursementStatus.APPROVED]
    ).first()
    if live is not None:
        raise FundingError(
            _("This tranche already has a request that is %(status)s.")
            % {"status": live.get_status_display().lower()},
            code="duplicate",
        )
    try:
        with transaction.atomic():
            disbursement = Disbursement.objects.create(
                tranche=tranche,
                evidence=evidence,
                bank_account_name=account_name,
                bank_name=bank,
                bank_account_number=number,
                requested_by=actor,
            )
    except IntegrityError:
        raise FundingError(
            _("This tranche already has an open request."), code="duplicate"
        ) from None
    audit_record(
        actor=actor,
        action="funding.disbursement_requested",
        target=disbursement,
        summary=_("Disbursement requested: %(tranche)s, %(amount)s %(currency)s")
        % {"tranche": str(tranche), "amount": tranche.amount, "currency": tranche.currency},
        # The bank details stay out of the audit log; it is not encrypted.
        data={"tranche": tranche.pk, "amount": str(tranche.amount), "currency": tranche.currency},
    )
    context = {
        **_tranche_context(tranche),
        "requested_by": actor.get_full_name() or actor.email,
        "link": _link(f"/funding/disbursements/{disbursement.pk}/"),
    }
    emails = _emails_of_role(Role.FINANCE_APPROVER)
    if emails:
        transaction.on_commit(
            lambda: send_bilingual_mail(
                to=emails, template="funding/email/awaiting_approval", context=context
            )
        )
    return disbursement


def _lock_pending(disbursement: Disbursement, actor, verb: str) -> Disbursement:
    if not is_finance_approver(actor):
        raise FundingError(
            _("Only a finance approver can %(verb)s a disbursement.") % {"verb": verb},
            code="forbidden",
        )
    locked = (
        Disbursement.objects.select_for_update(of=("self",))
        .select_related("tranche__application__startup", "tranche__application__cohort")
        .get(pk=disbursement.pk)
    )
    if locked.requested_by_id == actor.pk:
        raise FundingError(
            _("You requested this disbursement, so another finance approver must decide it."),
            code="four_eyes",
        )
    if locked.status != DisbursementStatus.PENDING:
        raise FundingError(
            _("This request has already been decided: it is %(status)s.")
            % {"status": locked.get_status_display().lower()},
            code="already_decided",
        )
    return locked


def disbursement_key(disbursement: Disbursement) -> str:
    return f"funding-disbursement:{disbursement.pk}"


@transaction.atomic
def disbursement_approve(
    *, disbursement: Disbursement, actor, payment_reference: str
) -> Disbursement:
    """Finance approves a pending request: the payment is recorded and posted to the ledger.

    The request's row stays locked from the check to the commit, so a second approval, even
    at the same moment, finds it decided and is refused; the ledger key would refuse a second
    posting anyway.
    """
    reference = _text(
        payment_reference,
        field="payment_reference",
        message=_("Give the payment reference of the bank transfer."),
        limit=100,
    )
    disbursement = _lock_pending(disbursement, actor, _("approve"))
    tranche = disbursement.tranche
    application = tranche.application
    try:
        # The entitlement reaches the startup's balance from the seed fund pool (once), and
        # the tranche leaves it for the spending account.
        benefits_open(application=application, actor=actor)
        asset = account_open(
            startup=application.startup,
            kind=AccountKind.ASSET,
            resource=Resource.SEED_FUNDING,
            unit=tranche.currency,
            actor=actor,
        )
        spend = account_open(
            startup=application.startup,
            kind=AccountKind.SPEND,
            resource=Resource.SEED_FUNDING,
            unit=tranche.currency,
            actor=actor,
        )
        posting = ledger_post(
            lines=[(asset, -tranche.amount), (spend, tranche.amount)],
            memo=f"{tranche.label}: {application.startup.name}, {reference}"[:300],
            kind=TransactionKind.DISBURSEMENT,
            idempotency_key=disbursement_key(disbursement),
            actor=actor,
            cohort=application.cohort,
        )
    except LedgerError as error:
        raise FundingError(error.message, code="ledger") from error
    disbursement.status = DisbursementStatus.APPROVED
    disbursement.decided_by = actor
    disbursement.decided_at = timezone.now()
    disbursement.payment_reference = reference
    disbursement.ledger_transaction = posting
    disbursement.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "payment_reference",
            "ledger_transaction",
        ]
    )
    audit_record(
        actor=actor,
        action="funding.disbursement_approved",
        target=disbursement,
        summary=_("Disbursement approved: %(tranche)s, %(amount)s %(currency)s")
        % {"tranche": str(tranche), "amount": tranche.amount, "currency": tranche.currency},
        data={"payment_reference": reference, "ledger_transaction": posting.pk},
    )
    context = {
        **_tranche_context(tranche),
        "payment_reference": reference,
        "paid_on": timezone.localdate(disbursement.decided_at).isoformat(),
        "link": _link(f"/funding/applications/{application.pk}/"),
    }
    emails = list(application.startup.members.values_list("email", flat=True))
    if emails:
        transaction.on_commit(
            lambda: send_bilingual_mail(
                to=emails, template="funding/email/tranche_paid", context=context
            )
        )
    return disbursement


@transaction.atomic
def disbursement_reject(*, disbursement: Disbursement, actor, reason: str) -> Disbursement:
    """Finance rejects a pending request with a reason; the tranche may be requested again."""
    reason = _text(
        reason, field="reason", message=_("Give the reason for the rejection."), limit=2000
    )
    disbursement = _lock_pending(disbursement, actor, _("reject"))
    disbursement.status = DisbursementStatus.REJECTED
    disbursement.decided_by = actor
    disbursement.decided_at = timezone.now()
    disbursement.rejection_reason = reason
    disbursement.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    audit_record(
        actor=actor,
        action="funding.disbursement_rejected",
        target=disbursement,
        summary=_("Disbursement rejected: %(tranche)s") % {"tranche": str(disbursement.tranche)},
        data={"reason": reason},
    )
    return disbursement
