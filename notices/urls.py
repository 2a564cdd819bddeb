from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("min-side/varsler/", views.settings_page, name="settings"),
    path("varsler/lest/", views.mark_read, name="mark_read"),
    path("varsler/avmeld/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
