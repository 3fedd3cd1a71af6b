from django import forms
from django.utils.translation import gettext_lazy as _

from common import limits

from .models import Post

CATEGORY_CHOICES = [("", _("— choose what this post is (A.4) —"))] + [
    (value, label) for value, label in Post.Category.choices if value != Post.Category.MISSION_ORDER
]


class PostForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=CATEGORY_CHOICES, required=True,
        help_text=_("Only information within the Ministry's roles and duties may be posted (Instruction 996 A.4)."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body_km = forms.CharField(label=_("Text (Khmer)"), max_length=limits.POST_BODY, widget=forms.Textarea(attrs={"rows": 8, "lang": "km"}))
    meeting_date = forms.DateField(label=_("Meeting date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    meeting_time = forms.TimeField(label=_("Meeting time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    meeting_place = forms.CharField(label=_("Meeting place"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Agenda"), required=False, max_length=limits.AGENDA, widget=forms.Textarea(attrs={"rows": 4, "lang": "km"}))
    attachment = forms.FileField(label=_("Attachment (PDF, JPEG or PNG)"), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
