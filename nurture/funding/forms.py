from django import forms
from django.utils.translation import gettext_lazy as _

from nurture.core.forms import BootstrapMixin

from .models import Disbursement, TrancheRule


class TrancheRuleForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = TrancheRule
        fields = [
            "percent",
            "months_after_start",
            "label",
            "label_zh_hant",
            "milestone",
            "milestone_zh_hant",
        ]
        widgets = {
            "milestone": forms.Textarea(attrs={"rows": 2}),
            "milestone_zh_hant": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["percent"].widget.attrs.update(min="0.01", max="100", step="0.01")
        self.fields["months_after_start"].widget.attrs.update(min=0, max=60, step=1)


TrancheRuleFormSet = forms.modelformset_factory(
    TrancheRule, form=TrancheRuleForm, extra=1, can_delete=True, max_num=12, validate_max=True
)


class DisbursementRequestForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Disbursement
        fields = ["evidence", "bank_account_name", "bank_name", "bank_account_number"]
        widgets = {
            "evidence": forms.Textarea(attrs={"rows": 4}),
            "bank_account_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "bank_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "bank_account_number": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "evidence": _("What shows the milestone is met: documents seen, dates, notes."),
            "bank_account_number": _("Stored encrypted; shown only to staff and finance."),
        }


class ApproveForm(BootstrapMixin, forms.Form):
    payment_reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        help_text=_("The bank's reference of the transfer."),
    )


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The programme manager sees it and may request again."),
    )
