from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("logg-inn/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logg-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("passord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("passord/endret/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("språk/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("", include("projects.urls")),
    path("", include("dialogues.urls")),
]
