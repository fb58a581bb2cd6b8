from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin, DateInput

from .models import (
    CloudAccount,
    CloudProvider,
    Cluster,
    ComputeAccount,
    GpuModel,
    Node,
)
from .services import BOOKING_HORIZON, MAX_BOOKING_HOURS

MAX_FILE_MB = 200


class BookingForm(BootstrapMixin, forms.Form):
    gpu_model = forms.ModelChoiceField(label=_("GPU model"), queryset=GpuModel.objects.all())
    gpus = forms.IntegerField(label=_("GPUs"), min_value=1, max_value=512, initial=1)
    day = forms.DateField(label=_("Day (Hong Kong time)"), widget=DateInput())
    start_hour = forms.TypedChoiceField(
        label=_("From"),
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        initial=9,
    )
    hours = forms.IntegerField(
        label=_("Hours"),
        min_value=1,
        max_value=MAX_BOOKING_HOURS,
        initial=8,
        help_text=_("Whole hours, up to two weeks."),
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)

    def clean_day(self):
        day = self.cleaned_data["day"]
        today = timezone.localdate()
        if not today - timedelta(days=1) <= day <= today + BOOKING_HORIZON:
            raise forms.ValidationError(
                _("Choose a day from today up to %(days)s days ahead.")
                % {"days": BOOKING_HORIZON.days}
            )
        return day

    def window(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        starts_at = timezone.make_aware(
            datetime.combine(data["day"], time(data["start_hour"])), zone
        )
        return starts_at, starts_at + timedelta(hours=data["hours"])


class TopUpForm(BootstrapMixin, forms.Form):
    hours = forms.DecimalField(label=_("GPU-hours"), min_value=1, max_digits=10, decimal_places=4)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ComputeAccountForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ComputeAccount
        fields = ["slurm_account", "namespace", "max_gpus"]


class CloudAccountForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = CloudAccount
        fields = ["provider", "account_id"]


class ClusterForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Cluster
        fields = ["name", "slug", "time_zone"]

    def clean_time_zone(self):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = self.cleaned_data["time_zone"]
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(_("Unknown time zone.")) from None
        return value


class GpuModelForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = GpuModel
        fields = ["name", "slug", "memory_gb"]


class NodeForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Node
        fields = ["cluster", "name", "gpu_model", "gpu_count", "active"]


def _file_checked(upload):
    if upload.size > MAX_FILE_MB * 1024 * 1024:
        raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_MB})
    return upload


class SlurmImportForm(BootstrapMixin, forms.Form):
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.all())
    file = forms.FileField(
        label=_("sacct output"),
        help_text=_(
            "sacct --allocations --parsable2 --noheader --format=JobID,Account,Start,End,AllocTRES"
        ),
    )

    def clean_file(self):
        return _file_checked(self.cleaned_data["file"])


class BillingImportForm(BootstrapMixin, forms.Form):
    provider = forms.ChoiceField(
        label=_("Provider"), choices=CloudProvider.choices, initial=CloudProvider.ALIBABA_CLOUD
    )
    file = forms.FileField(
        label=_("Billing export (CSV)"),
        help_text=_("Columns: billing_month, account_id, service, cost_usd, line_id."),
    )

    def clean_file(self):
        return _file_checked(self.cleaned_data["file"])
