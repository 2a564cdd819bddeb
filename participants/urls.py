from django.urls import path

from . import exports, views

app_name = "participants"

urlpatterns = [
    path("deltakere/", views.participant_list, name="participant_list"),
    path("oppslag/deltakere/", views.participant_lookup, name="participant_lookup"),
    path("deltakere/ny/", views.participant_create, name="participant_create"),
    path("deltakere/tilgangslogg/", views.access_log, name="access_log"),
    path("eksport/deltakere.<export:fmt>", exports.registry_export, name="participant_export_list"),
    path("deltakere/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("deltakere/<int:pk>/endre/", views.participant_edit, name="participant_edit"),
    path("deltakere/<int:pk>/samtykke/", views.consent_add, name="consent_add"),
    path("deltakere/<int:pk>/inviter/", views.participant_invite, name="participant_invite"),
    path("deltakere/<int:pk>/eksport/", views.participant_export, name="participant_export"),
    path("deltakere/<int:pk>/slå-sammen/", views.participant_merge, name="participant_merge"),
    path("deltakere/<int:pk>/anonymiser/", views.participant_anonymise, name="participant_anonymise"),
    path("samtykker/<int:consent_pk>/trekk/", views.consent_withdraw, name="consent_withdraw"),
    path("min-side/", views.my_page, name="my_page"),
    path("min-side/eksport/", views.my_export, name="my_export"),
    path("min-side/mine-data/", views.my_data, name="my_data"),
    path("min-side/samtykke/", views.my_consent_give, name="my_consent_give"),
    path("invitasjon/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("personvern/", views.terms, name="terms"),
]
