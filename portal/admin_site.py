"""The portal's admin site: Django's, with its titles, and without work no page shows.

Django builds the list of every app and model the user may reach (a permission check and two URL reversals
per model) for each admin page, for the navigation sidebar. The portal's admin has no sidebar (its lists
need the width of a 1366 px screen; the models are one click away on the admin's home page), so the list is
built only where a page shows it: the home page and an app's page.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("Ministry of Civil Service — mission-order portal")
    site_title = _("Mission-order portal")
    index_title = _("Administration")
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        """The apps and models, built when a page reads them (never for the sidebar this site does not show)."""
        build = super().get_app_list
        return SimpleLazyObject(lambda: build(request, app_label))


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
