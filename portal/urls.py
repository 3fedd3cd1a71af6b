from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

# The admin site's titles and its pages without a sidebar: portal/admin_site.py.

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz/", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Reset by e-mail where the official has an address; otherwise the administrator sets one in the admin.
    path("accounts/password/reset/", views.password_reset, name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("ministry/", include("ministry.urls")),
    path("missions/", include("missions.urls")),
    path("verify/", include("missions.verify_urls")),
    path("groups/", include("groups.urls")),
    path("finance/", include("finance.urls")),
    path("inbox/", include("inbox.urls")),
    path(settings.ADMIN_URL_PREFIX, admin.site.urls),
]
if settings.DEBUG or settings.EXPOSE_TRIVIAL_VIEW:
    urlpatterns += [path("_trivial/", views.trivial, name="trivial"),
                    path("_trivial/page/", views.trivial_page, name="trivial_page")]
