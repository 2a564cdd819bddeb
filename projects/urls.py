from django.urls import path

from . import exports, views

app_name = "projects"

urlpatterns = [
    path("prosjekter/", views.project_list, name="project_list"),
    path("prosjekter/ny/", views.project_create, name="project_create"),
    path("prosjekter/partner-rad/", views.partner_row, name="partner_row"),
    path("prosjekter/<slug:slug>/", views.project_detail, name="project_detail"),
    path("prosjekter/<slug:slug>/endre/", views.project_edit, name="project_edit"),
    path("prosjekter/<slug:slug>/avslutt/", views.project_close, name="project_close"),
    path("prosjekter/<slug:slug>/slett/", views.project_delete, name="project_delete"),
    path("prosjekter/<slug:slug>/publiser/", views.project_publish, name="project_publish"),
    path("prosjekter/<slug:slug>/trekk-tilbake/", views.project_withdraw, name="project_withdraw"),
    path("prosjekter/<slug:slug>/historikk/", views.project_history, name="project_history"),
    path(
        "prosjekter/<slug:slug>/historikk/<int:history_id>/gjenopprett/", views.project_restore, name="project_restore"
    ),
    path("prosjekter/<slug:slug>/indikatorer/<int:pk>/maling/ny/", views.measurement_create, name="measurement_create"),
    path("prosjekter/<slug:slug>/malinger/import/", views.measurement_import, name="measurement_import"),
    path("prosjekter/<slug:slug>/malinger/eksport/", views.measurement_export, name="measurement_export"),
    path("prosjekter/<slug:slug>/malinger/<int:pk>/endre/", views.measurement_edit, name="measurement_edit"),
    path("prosjekter/<slug:slug>/malinger/<int:pk>/slett/", views.measurement_delete, name="measurement_delete"),
    # Before the sections' addresses below, which would take "filer" for a section.
    path("prosjekter/<slug:slug>/filer/ny/", views.project_file_upload, name="file_upload"),
    path("prosjekter/<slug:slug>/filer/<int:pk>/", views.project_file_download, name="file_download"),
    path("prosjekter/<slug:slug>/filer/<int:pk>/slett/", views.project_file_delete, name="file_delete"),
    path("prosjekter/<slug:slug>/systemendringer/<int:pk>/steg/ny/", views.step_create, name="step_create"),
    path(
        "prosjekter/<slug:slug>/systemendringer/<int:pk>/organisasjon/ny/",
        views.adoption_create,
        name="adoption_create",
    ),
    path("prosjekter/<slug:slug>/tatt-i-bruk/<int:pk>/slett/", views.adoption_delete, name="adoption_delete"),
    path("prosjekter/<slug:slug>/<str:section>/ny/", views.entry_create, name="entry_create"),
    path("prosjekter/<slug:slug>/<str:section>/<int:pk>/endre/", views.entry_edit, name="entry_edit"),
    path("prosjekter/<slug:slug>/<str:section>/<int:pk>/slett/", views.entry_delete, name="entry_delete"),
    path("systemendringer/", views.system_change_register, name="system_change_register"),
    path("laering/", views.learning_register, name="learning_register"),
    path("resultater/", views.result_register, name="result_register"),
    # Every list as CSV or XLSX, with the filters of its page (the export links carry its query string).
    path("eksport/prosjekter.<export:fmt>", exports.project_export, name="project_export"),
    path("eksport/partnere.<export:fmt>", exports.organisation_export, name="organisation_export"),
    path("eksport/kommuner.<export:fmt>", exports.municipality_export, name="municipality_export"),
    path("eksport/laering.<export:fmt>", exports.learning_export, name="learning_export"),
    path("eksport/resultater.<export:fmt>", exports.result_export, name="result_export"),
    path("eksport/systemendringer.<export:fmt>", exports.system_change_export, name="system_change_export"),
    path("indikatorer/", views.indicator_totals, name="indicator_totals"),
    path("finansiering/", views.funding, name="funding"),
    path("oppslag/prosjekter/", views.project_lookup, name="project_lookup"),
    path("oppslag/partnere/", views.organisation_lookup, name="organisation_lookup"),
    path("partnere/", views.organisation_list, name="organisation_list"),
    path("partnere/ny/", views.organisation_create, name="organisation_create"),
    path("partnere/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("partnere/<int:pk>/endre/", views.organisation_edit, name="organisation_edit"),
    path("partnere/<int:pk>/historikk/", views.organisation_history, name="organisation_history"),
    path(
        "partnere/<int:pk>/historikk/<int:history_id>/gjenopprett/",
        views.organisation_restore,
        name="organisation_restore",
    ),
    path("kommuner/", views.municipality_list, name="municipality_list"),
    path("kommuner/<str:number>/", views.municipality_detail, name="municipality_detail"),
]
