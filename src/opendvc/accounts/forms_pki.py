"""The details step of a registration with a certificate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.forms import PortalForm, id_number_field


class CertificateDetailsForm(PortalForm):
    """Citizens: e-mail and address (the rest comes from the certificate and the population registry).
    Businesses: name, head-office address, e-mail and the legal representative."""

    def __init__(self, *args, business: bool, prefill: dict, **kwargs):
        super().__init__(*args, **kwargs)
        if business:
            self.fields["business_name"] = forms.CharField(
                label=_("Tên doanh nghiệp"), max_length=255, initial=prefill.get("business_name", "")
            )
            self.fields["address"] = forms.CharField(label=_("Địa chỉ trụ sở"), max_length=500)
            self.fields["email"] = forms.EmailField(label=_("Thư điện tử của doanh nghiệp"))
            self.fields["representative_name"] = forms.CharField(
                label=_("Họ và tên người đại diện theo pháp luật"), max_length=255
            )
            self.fields["representative_id_number"] = id_number_field(
                label=_("Số định danh cá nhân của người đại diện")
            )
        else:
            self.fields["address"] = forms.CharField(
                label=_("Địa chỉ liên hệ"),
                max_length=500,
                required=False,
                initial=prefill.get("address", ""),
                help_text=_("Mặc định là nơi thường trú theo Cơ sở dữ liệu quốc gia về dân cư."),
            )
            self.fields["email"] = forms.EmailField(label=_("Thư điện tử"), required=False)
