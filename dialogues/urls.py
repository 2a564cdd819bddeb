from django.urls import path

from . import exports
from .views import attendance, calendar, contributions, files, followup, history, lookups, outcomes, planning, series

app_name = "dialogues"

urlpatterns = [
    path("dialoger/", planning.dialogue_list, name="dialogue_list"),
    path("oppslag/dialoger/", lookups.dialogue_lookup, name="dialogue_lookup"),
    path("prosjekter/<slug:slug>/ny-dialog/", planning.dialogue_create, name="dialogue_create"),
    path("dialoger/serier/<slug:slug>/", series.series_detail, name="series_detail"),
    path("dialoger/agenda-rad/", planning.agenda_row, name="agenda_row"),
    path("dialoger/<int:pk>/", planning.dialogue_detail, name="dialogue_detail"),
    path("dialoger/<int:pk>/endre/", planning.dialogue_edit, name="dialogue_edit"),
    path("dialoger/<int:pk>/avlys/", planning.dialogue_cancel, name="dialogue_cancel"),
    path("dialoger/<int:pk>/dupliser/", planning.dialogue_duplicate, name="dialogue_duplicate"),
    path("dialoger/<int:pk>/slett/", planning.dialogue_delete, name="dialogue_delete"),
    path("dialoger/<int:pk>/filer/ny/", files.file_upload, name="file_upload"),
    path("dialoger/<int:pk>/filer/<int:file_pk>/", files.file_download, name="file_download"),
    path("dialoger/<int:pk>/filer/<int:file_pk>/slett/", files.file_delete, name="file_delete"),
    path("dialoger/<int:pk>/historikk/", history.dialogue_history, name="dialogue_history"),
    path(
        "dialoger/<int:pk>/historikk/<int:history_id>/gjenopprett/", history.dialogue_restore, name="dialogue_restore"
    ),
    path("dialoger/<int:pk>/utfall/historikk/", history.outcome_history, name="outcome_history"),
    path(
        "dialoger/<int:pk>/utfall/historikk/<int:history_id>/gjenopprett/",
        history.outcome_restore,
        name="outcome_restore",
    ),
    # The participant role: one's own contributions to a dialogue one attended.
    path("dialoger/<int:pk>/min-innsikt/", contributions.add_insight, name="add_insight"),
    path("dialoger/<int:pk>/min-tilbakemelding/", contributions.add_feedback, name="add_feedback"),
    path("dialoger/<int:pk>/utfall/kommentar/", contributions.comment_outcome, name="comment_outcome"),
    path("dialoger/<int:pk>/deltakere/", attendance.attendance, name="attendance"),
    path("dialoger/<int:pk>/deltakere/oppslag/", lookups.attendee_lookup, name="attendee_lookup"),
    path(
        "dialoger/<int:pk>/deltakere/<int:attendance_pk>/fjern/", attendance.attendance_remove, name="attendance_remove"
    ),
    path(
        "dialoger/<int:pk>/deltakere/<int:attendance_pk>/endre/",
        attendance.attendance_correct,
        name="attendance_correct",
    ),
    path("dialoger/<int:pk>/utfall/", outcomes.outcome_edit, name="outcome_edit"),
    path("dialoger/utfall-rad/<str:formset>/", outcomes.outcome_row, name="outcome_row"),
    path("dialoger/forslag/<int:proposal_pk>/til-systemendring/", outcomes.adopt_proposal, name="adopt_proposal"),
    path("oppfolging/", followup.action_overview, name="action_overview"),
    # The lists as CSV or XLSX, with the filters of the dialogue list (the export links carry its query string).
    path("eksport/dialoger.<export:fmt>", exports.dialogue_export, name="dialogue_export"),
    path("eksport/oppmote.<export:fmt>", exports.attendance_export, name="attendance_export"),
    path("eksport/oppfolging.<export:fmt>", exports.action_export, name="action_export"),
    path("oppfolging/<int:action_pk>/utfort/", followup.action_done, name="action_done"),
    path("dialoger/<int:pk>/kalender.ics", calendar.dialogue_ics, name="dialogue_ics"),
    path("kalender/", calendar.feeds, name="feeds"),
    path("kalender/nullstill/", calendar.reset_user_feed, name="reset_user_feed"),
    path("prosjekter/<slug:slug>/kalender/nullstill/", calendar.reset_project_feed, name="reset_project_feed"),
    path("kalender/<str:token>.ics", calendar.feed, name="feed"),
]
