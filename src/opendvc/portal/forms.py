from django import forms
from django.utils.translation import gettext_lazy as _

from opendvc.accounts.captcha import captcha_field
from opendvc.portal.services.comments import MAX_BODY, MAX_NAME


class CommentForm(forms.Form):
    name = forms.CharField(label=_("Họ và tên"), max_length=MAX_NAME)
    body = forms.CharField(
        label=_("Nội dung bình luận"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Bình luận được hiển thị sau khi cán bộ kiểm duyệt. Không ghi số giấy tờ, số điện thoại."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captcha"] = captcha_field()


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm bài viết"), max_length=200, required=False)
