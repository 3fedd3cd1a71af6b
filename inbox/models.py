"""The portal inbox: every notice to a person lands here, the channel that always works."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ministry.models import Official


class Notification(models.Model):
    official = models.ForeignKey(Official, verbose_name=_("official"), on_delete=models.CASCADE,
                                 related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    # One row per notice and person: the same event told twice (a retry, a double click) keeps one.
    key = models.CharField(max_length=200, unique=True)
    created = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["official", "read_at"]), models.Index(fields=["official", "-created"])]

    def __str__(self):
        return self.text[:60]
