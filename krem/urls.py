from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import public, views

urlpatterns = [
    path("", views.home, name="home"),
    path("logg-inn/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logg-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("passord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("passord/endret/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Password reset by email. Django marks these views login_not_required.
    path("passord/glemt/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("passord/glemt/sendt/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("passord/ny/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("passord/ny/ferdig/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("språk/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("sok/", views.search, name="search"),
    path("offentlig/prosjekter/<slug:slug>/", public.public_project, name="public_project"),
    path("slettet/", views.deleted_items, name="deleted_items"),
    path("slettet/prosjekt/<int:pk>/gjenopprett/", views.restore_deleted_project, name="restore_deleted_project"),
    path("slettet/dialog/<int:pk>/gjenopprett/", views.restore_deleted_dialogue, name="restore_deleted_dialogue"),
    path("", include("krem.reports.urls")),
    path("", include("projects.urls")),
    path("", include("dialogues.urls")),
    path("", include("participants.urls")),
    path("", include("notices.urls")),
]
