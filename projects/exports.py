"""The projects app's exports: each list as CSV or XLSX (kremlib/exports.py), with the filters of its page.

Each export reads the same filtered queryset as its page (views.filtered_*), so it has the page's rows and
visibility; the columns are the page's and what a spreadsheet needs besides. People are named only through the
naming policy (a learning entry's author as the page shows them)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kremlib.exports import Column, approx_date, export_response, lazily
from kremlib.naming import names_for

from .views import (
    counted_municipalities,
    filtered_learning_entries,
    filtered_organisations,
    filtered_projects,
    filtered_results,
    filtered_system_changes,
)


def joined(items):
    return ", ".join(str(item) for item in items)


def partners_with_roles(project):
    return joined(
        f"{partnership.organisation.name} ({partnership.get_role_display()})"
        for partnership in project.partnerships.all()
    )


PROJECT_COLUMNS = [
    Column(_("Title"), lambda p: p.title),
    Column(_("Report section"), lambda p: p.report_section),
    Column(_("Status"), lambda p: p.get_status_display()),
    Column(_("Start"), lambda p: approx_date(p.start_date, p.start_precision)),
    Column(_("End"), lambda p: approx_date(p.end_date, p.end_precision)),
    Column(_("Municipalities"), lambda p: joined(m.name for m in p.municipalities.all())),
    Column(_("Partners"), partners_with_roles),
    Column(_("Continued by"), lambda p: p.continued_by.name if p.continued_by else ""),
    Column(_("Summary"), lambda p: p.summary),
    Column(_("Goals"), lambda p: p.goals),
    Column(_("Target groups"), lambda p: p.target_groups),
    Column(_("Last changed"), lambda p: p.updated_at),
]


def project_export(request, fmt):
    projects = filtered_projects(request).qs.select_related("continued_by")
    return export_response(lazily(projects), PROJECT_COLUMNS, fmt=fmt, name="prosjekter", sheet_title=_("Projects"))


ORGANISATION_COLUMNS = [
    Column(_("Name"), lambda o: o.name),
    Column(_("Sector"), lambda o: o.get_sector_display()),
    Column(_("Organisation number"), lambda o: o.org_number),
    Column(_("Municipality"), lambda o: o.municipality.name if o.municipality else ""),
    Column(_("Website"), lambda o: o.website),
    Column(_("Active"), lambda o: o.is_active),
    Column(_("Projects"), lambda o: o.project_count),
    Column(_("Notes"), lambda o: o.notes),
]


def organisation_export(request, fmt):
    organisations = filtered_organisations(request).qs
    return export_response(
        lazily(organisations), ORGANISATION_COLUMNS, fmt=fmt, name="partnere", sheet_title=_("Partners")
    )


MUNICIPALITY_COLUMNS = [
    Column(_("Municipality"), lambda m: m.name),
    Column(pgettext_lazy("municipality", "Number"), lambda m: m.number),
    Column(_("County"), lambda m: m.county),
    Column(_("Projects"), lambda m: m.project_count),
]


def municipality_export(request, fmt):
    municipalities = counted_municipalities(request.user)
    return export_response(
        lazily(municipalities), MUNICIPALITY_COLUMNS, fmt=fmt, name="kommuner", sheet_title=_("Municipalities")
    )


def learning_columns(people):
    return [
        Column(_("Kind"), lambda e: e.get_kind_display()),
        Column(_("Text"), lambda e: e.text),
        Column(_("Project"), lambda e: e.project.title),
        Column(_("Date"), lambda e: approx_date(e.date, e.date_precision)),
        Column(_("Source"), lambda e: e.source),
        Column(_("Author"), lambda e: people.author_label(e.author, e.project_id)),
        Column(_("Created"), lambda e: e.created_at),
    ]


def learning_export(request, fmt):
    people = names_for(request.user)
    entries = filtered_learning_entries(request, people).qs
    return export_response(
        lazily(entries), learning_columns(people), fmt=fmt, name="laering", sheet_title=_("Learning log")
    )


RESULT_COLUMNS = [
    Column(_("Description"), lambda r: r.description),
    Column(_("Number"), lambda r: r.value),
    Column(_("Unit"), lambda r: r.unit),
    Column(_("Project"), lambda r: r.project.title),
    Column(_("Date"), lambda r: approx_date(r.date, r.date_precision)),
    Column(_("Source"), lambda r: r.source),
]


def result_export(request, fmt):
    results = filtered_results(request).qs
    return export_response(lazily(results), RESULT_COLUMNS, fmt=fmt, name="resultater", sheet_title=_("Results"))


SYSTEM_CHANGE_COLUMNS = [
    Column(_("System change"), lambda c: c.description),
    Column(_("Level"), lambda c: c.get_level_display()),
    Column(_("Status"), lambda c: c.current_status_display),
    Column(_("Project"), lambda c: c.project.title),
    Column(
        _("Adopted by"), lambda c: joined(f"{a.organisation.name} ({a.get_role_display()})" for a in c.adoptions.all())
    ),
    Column(_("Date"), lambda c: approx_date(c.date, c.date_precision)),
    Column(_("Re-check"), lambda c: c.recheck_date),
    Column(_("KREM's contribution"), lambda c: c.krem_contribution),
    Column(_("Evidence (link)"), lambda c: c.evidence_url),
    Column(_("Source"), lambda c: c.source),
]


def system_change_export(request, fmt):
    changes = filtered_system_changes(request).qs
    return export_response(
        lazily(changes), SYSTEM_CHANGE_COLUMNS, fmt=fmt, name="systemendringer", sheet_title=_("System changes")
    )
