from dataclasses import dataclass

from django.contrib import messages
from django.core import signing
from django.db.models import Count, F, Prefetch, Q, Sum
from django.db.models.functions import ExtractYear
from django.forms import ModelForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from kremlib import files
from kremlib.formsets import empty_row, requested_index, with_one_more_row
from kremlib.history import Source
from kremlib.history_views import render_history, restore_version
from kremlib.http import is_htmx, list_url, paginate
from kremlib.lookups import lookup_options
from kremlib.naming import names_for
from kremlib.permissions import can, require
from kremlib.softdelete import RESTORE_DAYS
from kremlib.versioning import Versioned, save_or_conflict

from . import measurement_io, panels, services
from .charts import chart_for
from .filters import LearningEntryFilter, OrganisationFilter, ProjectFilter, ResultFilter, SystemChangeFilter
from .forms import (
    AdoptionForm,
    CloseProjectForm,
    DocumentForm,
    GrantForm,
    IndicatorForm,
    LearningEntryForm,
    MeasurementForm,
    MeasurementImportForm,
    OrganisationForm,
    PartnershipFormSet,
    ProjectForm,
    PublishForm,
    ResultForm,
    SystemChangeForm,
    SystemChangeStepForm,
)
from .models import (
    Document,
    Grant,
    Indicator,
    LearningEntry,
    LearningKind,
    Measurement,
    Municipality,
    Organisation,
    Partnership,
    Project,
    ProjectFile,
    ProjectStatus,
    Result,
    SystemChange,
    SystemChangeAdoption,
    SystemChangeStep,
)
from .totals import catalogue_totals


def get_project_for_user(user, slug):
    """Fetch and authorise in one step: a project the user may not see does not exist for them."""
    return get_object_or_404(Project.objects.visible_to(user), slug=slug)


def filtered_projects(request):
    """The project list's filter over the projects the user sees (the page and its export)."""
    return ProjectFilter(request.GET, queryset=Project.objects.visible_to(request.user).for_list())


def project_list(request):
    project_filter = filtered_projects(request)
    page = paginate(request, project_filter.qs)
    # "No projects match these filters" only when a filter is set; with none, the user simply has no projects.
    filtered = any(value for key, value in request.GET.items() if key in project_filter.filters)
    context = {"filter": project_filter, "page": page, "filtered": filtered}
    template = "projects/project_list.html#results" if is_htmx(request) else "projects/project_list.html"
    return render(request, template, context)


def project_detail(request, slug):
    project = get_project_for_user(request.user, slug)
    return render(request, "projects/project_detail.html", project_page_context(request, project))


def project_page_context(request, project):
    """Everything the project page shows of `project`, as the reader may see it: the page and the project report
    (krem/reports) render the same sections from it. The same number of queries however many rows."""
    partnerships = project.partnerships.select_related("organisation").order_by("role", "organisation__name")
    people = names_for(request.user)
    entries = list(
        people.prefetch_authors(project.learning_entries.all(), "author").order_by(
            F("date").asc(nulls_last=True), "created_at"
        )
    )
    for entry in entries:
        entry.author_shown = people.author_label(entry.author, project.pk)
    learning = [(kind, [e for e in entries if e.kind == kind]) for kind in LearningKind]
    indicators = indicators_with_charts(project, people)
    return {
        "project": project,
        "partnerships": partnerships,
        "municipalities": project.municipalities.all(),
        "districts": project.districts.select_related("municipality"),
        "learning": learning,
        "indicators": indicators,
        "results": project.results.all(),
        "system_changes": project.system_changes.with_status().for_page(),
        "documents": project.documents.all(),
        "files": project.files.all(),
        "grants": project.grants.select_related("funder").prefetch_related("documents"),
        "can_edit": can(request.user, "projects.change_project", project),
        "can_add_learning": can(request.user, "projects.add_learningentry", project),
        "can_delete": can(request.user, "projects.delete_project", project),
        "can_publish": can(request.user, "projects.publish_project", project),
        **panels.context_for("project", request, project, people=people),
    }


# Files: whoever sees the project downloads them; coordinators upload and delete them (like documents and links).


def project_file_upload(request, slug):
    project = get_project_for_user(request.user, slug)
    require(request.user, "projects.change_document", project)
    response = files.upload_page(
        request, instance=ProjectFile(project=project), back_url=project.get_absolute_url(), back_label=project.title
    )
    if response is not None:
        return response
    messages.success(request, _("The file was uploaded."))
    return redirect(f"{project.get_absolute_url()}#documents")


def get_project_file(request, slug, pk):
    """A file of a project the user sees; 404 for a project they don't, or a file of another project."""
    project = get_project_for_user(request.user, slug)
    return project, get_object_or_404(ProjectFile.objects.select_related("project"), project=project, pk=pk)


@require_safe
def project_file_download(request, slug, pk):
    _project, stored = get_project_file(request, slug, pk)
    return files.download_response(stored)


@require_POST
def project_file_delete(request, slug, pk):
    project, stored = get_project_file(request, slug, pk)
    require(request.user, "projects.change_document", project)
    files.delete_file(stored)
    messages.success(request, _("The file “%(name)s” was deleted.") % {"name": stored})
    return redirect(f"{project.get_absolute_url()}#documents")


def indicators_with_charts(project, people):
    """The project's indicators, each with its measurements in date order, who recorded them (as the reader may
    see them) and its chart: three queries and the naming policy's, however many there are."""
    measurements = people.prefetch_authors(Measurement.objects.order_by("date", "pk"), "recorded_by")
    indicators = list(
        project.indicators.select_related("catalogue").prefetch_related(Prefetch("measurements", measurements))
    )
    for indicator in indicators:
        rows = list(indicator.measurements.all())
        for measurement in rows:
            measurement.recorded_by_shown = people.author_label(measurement.recorded_by, project.pk)
        indicator.rows = rows
        indicator.chart = chart_for(indicator, rows)
    return indicators


def indicator_totals(request):
    """The portfolio: the catalogue's indicators added up over the projects the user sees."""
    totals = catalogue_totals(Project.objects.visible_to(request.user))
    return render(request, "projects/indicator_totals.html", {"totals": totals})


def project_create(request):
    require(request.user, "projects.add_project")
    return project_form(request, Project())


def project_edit(request, slug):
    project = get_project_for_user(request.user, slug)
    require(request.user, "projects.change_project", project)
    return project_form(request, project)


def project_form(request, project):
    """Create or edit a project with its partners. Without JavaScript, 'add partner row' posts back here."""
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, instance=project)
    formset = PartnershipFormSet(data, instance=project, prefix="partners")
    if data is not None and "add_partner_row" in data:
        formset = with_one_more_row(formset)
    elif data is not None and form.is_valid() and formset.is_valid():

        def save():
            formset.instance = form.save()
            formset.save()
            return formset.instance

        if saved := save_or_conflict(save):
            messages.success(request, _("The project “%(title)s” was saved.") % {"title": saved.title})
            return redirect(saved)
    return render(request, "projects/project_form.html", {"form": form, "formset": formset, "project": project})


def partner_row(request):
    """One empty partner row for the htmx 'add partner' button."""
    require(request.user, "projects.add_project")
    form = empty_row(PartnershipFormSet(prefix="partners"), requested_index(request, PartnershipFormSet))
    return render(request, "projects/partials/partner_row.html", {"form": form})


def project_close(request, slug):
    project = get_project_for_user(request.user, slug)
    require(request.user, "projects.change_project", project)
    form = CloseProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid() and save_or_conflict(form.save):
        messages.success(request, _("The project was closed."))
        return redirect(project)
    return render(request, "projects/project_close.html", {"form": form, "project": project})


@require_POST
def project_publish(request, slug):
    """Publish the project's public results page (coordinators, after confirming what it shows)."""
    project = get_project_for_user(request.user, slug)
    require(request.user, "projects.publish_project", project)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["confirm"][0])
        return redirect(f"{project.get_absolute_url()}#publication")
    project = services.set_published(project=project, published=True)
    messages.success(request, _("The public results page is published."))
    return redirect(f"{project.get_absolute_url()}#publication")


@require_POST
def project_withdraw(request, slug):
    """Take the public results page down: from the next request on it answers 404."""
    project = get_project_for_user(request.user, slug)
    require(request.user, "projects.publish_project", project)
    services.set_published(project=project, published=False)
    messages.success(request, _("The public results page was withdrawn. It can no longer be seen without logging in."))
    return redirect(f"{project.get_absolute_url()}#publication")


@dataclass(frozen=True)
class Section:
    """One of the project page's sections whose entries are added, edited and deleted in the browser."""

    model: type
    form: type[ModelForm]
    add_perm: str
    change_perm: str
    anchor: str
    title: str

    @property
    def versioned(self):
        """Its form refuses to overwrite an edit it has not seen (kremlib.versioning)."""
        return issubclass(self.model, Versioned)


SECTIONS = {
    "laering": Section(
        LearningEntry,
        LearningEntryForm,
        "projects.add_learningentry",
        "projects.change_learningentry",
        "learning",
        _("Learning entry"),
    ),
    "resultater": Section(
        Result, ResultForm, "projects.change_project", "projects.change_result", "results", _("Result")
    ),
    "systemendringer": Section(
        SystemChange,
        SystemChangeForm,
        "projects.change_project",
        "projects.change_systemchange",
        "system-changes",
        _("System change"),
    ),
    "indikatorer": Section(
        Indicator,
        IndicatorForm,
        "projects.change_project",
        "projects.change_indicator",
        "indicators",
        _("Indicator"),
    ),
    "finansiering": Section(
        Grant,
        GrantForm,
        "projects.change_project",
        "projects.change_grant",
        "funding",
        _("Grant"),
    ),
    "dokumenter": Section(
        Document,
        DocumentForm,
        "projects.change_project",
        "projects.change_document",
        "documents",
        _("Document or link"),
    ),
}


def get_section(name):
    try:
        return SECTIONS[name]
    except KeyError:
        raise Http404 from None


def entry_create(request, slug, section):
    section = get_section(section)
    project = get_project_for_user(request.user, slug)
    require(request.user, section.add_perm, project)
    entry = section.model(project=project)
    if section.model is LearningEntry:
        entry.author = request.user
        if "kind" in request.GET:
            entry.kind = request.GET["kind"]
    return entry_form(request, project, section, entry)


def get_entry(request, slug, section, pk):
    section = get_section(section)
    project = get_project_for_user(request.user, slug)
    entry = get_object_or_404(section.model, project=project, pk=pk)
    require(request.user, section.change_perm, entry)
    return section, project, entry


def entry_edit(request, slug, section, pk):
    section, project, entry = get_entry(request, slug, section, pk)
    return entry_form(request, project, section, entry)


def entry_form(request, project, section, entry):
    form = section.form(request.POST or None, instance=entry)
    if "public" in form.fields and not can(request.user, "projects.publish_project", project):
        del form.fields["public"]  # a member's entry goes public only when a coordinator marks it so
    if request.method == "POST" and form.is_valid() and save_or_conflict(form.save):
        messages.success(request, _("%(what)s saved.") % {"what": section.title})
        return redirect(f"{project.get_absolute_url()}#{section.anchor}")
    return render(
        request, "projects/entry_form.html", {"form": form, "project": project, "section": section, "entry": entry}
    )


def entry_delete(request, slug, section, pk):
    section, project, entry = get_entry(request, slug, section, pk)
    if request.method == "POST":
        entry.delete()
        messages.success(request, _("%(what)s deleted.") % {"what": section.title})
        return redirect(f"{project.get_absolute_url()}#{section.anchor}")
    return render(request, "projects/entry_delete.html", {"project": project, "section": section, "entry": entry})


def get_indicator(request, slug, pk):
    """An indicator of a project the user sees (404 otherwise) that is theirs to record measurements of (403)."""
    project = get_project_for_user(request.user, slug)
    indicator = get_object_or_404(Indicator, project=project, pk=pk)
    require(request.user, "projects.change_indicator", indicator)
    return project, indicator


def measurement_create(request, slug, pk):
    project, indicator = get_indicator(request, slug, pk)
    return measurement_form(request, project, indicator, Measurement(indicator=indicator, recorded_by=request.user))


def get_measurement(request, slug, pk):
    project = get_project_for_user(request.user, slug)
    measurement = get_object_or_404(Measurement.objects.select_related("indicator"), indicator__project=project, pk=pk)
    require(request.user, "projects.change_measurement", measurement)
    return project, measurement


def measurement_edit(request, slug, pk):
    project, measurement = get_measurement(request, slug, pk)
    return measurement_form(request, project, measurement.indicator, measurement)


def measurement_form(request, project, indicator, measurement):
    form = MeasurementForm(request.POST or None, instance=measurement)
    if request.method == "POST" and form.is_valid() and save_or_conflict(form.save):
        messages.success(request, _("Measurement saved."))
        return redirect(f"{project.get_absolute_url()}#indicators")
    context = {"form": form, "project": project, "indicator": indicator, "measurement": measurement}
    return render(request, "projects/measurement_form.html", context)


def measurement_delete(request, slug, pk):
    project, measurement = get_measurement(request, slug, pk)
    if request.method == "POST":
        measurement.delete()
        messages.success(request, _("Measurement deleted."))
        return redirect(f"{project.get_absolute_url()}#indicators")
    context = {"project": project, "indicator": measurement.indicator, "measurement": measurement}
    return render(request, "projects/measurement_delete.html", context)


IMPORT_SALT = "projects.measurement_import"


def measurement_import(request, slug):
    """Upload a CSV or XLSX of measurements, see every row checked, then confirm: all rows are saved, or none."""
    project = get_project_for_user(request.user, slug)
    require(request.user, "projects.change_indicator", project)
    form = MeasurementImportForm(request.POST or None, request.FILES or None)
    context = {"project": project, "form": form}
    if request.method != "POST":
        return render(request, "projects/measurement_import.html", context)
    if "confirm" in request.POST:
        # The table the user saw in the preview, signed so that it cannot be changed on the way back.
        try:
            table = signing.loads(request.POST["confirm"], salt=IMPORT_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, _("The preview has expired. Upload the file again."))
            return redirect("projects:measurement_import", slug=project.slug)
        rows = measurement_io.parse(project, table)
        if not any(row.errors for row in rows):
            counts = measurement_io.save(rows, user=request.user)
            messages.success(
                request,
                _("Import saved: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.") % counts,
            )
            return redirect(f"{project.get_absolute_url()}#indicators")
        context["rows"] = rows
        return render(request, "projects/measurement_import.html", context)
    if form.is_valid():
        try:
            table = measurement_io.read_table(form.cleaned_data["file"])
            rows = measurement_io.parse(project, table)
        except measurement_io.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            context["rows"] = rows
            context["has_errors"] = any(row.errors for row in rows)
            context["counts"] = {s: sum(row.status == s for row in rows) for s in ("new", "changed", "unchanged")}
            if not context["has_errors"]:
                context["confirm"] = signing.dumps(table, salt=IMPORT_SALT, compress=True)
    return render(request, "projects/measurement_import.html", context)


def measurement_export(request, slug):
    """The project's measurements in the shape the import reads: ?format=xlsx, else CSV."""
    project = get_project_for_user(request.user, slug)
    if request.GET.get("format") == "xlsx":
        content = measurement_io.export_xlsx(project)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"malinger-{project.slug}.xlsx"
    else:
        content, content_type, name = (
            measurement_io.export_csv(project),
            "text/csv; charset=utf-8",
            f"malinger-{project.slug}.csv",
        )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def filtered_system_changes(request):
    """The system change register's filter over the changes of the projects the user sees (page and export)."""
    changes = (
        SystemChange.objects.filter(project__in=Project.objects.visible_to(request.user))
        .with_status()
        .select_related("project")
        .prefetch_related(Prefetch("adoptions", SystemChangeAdoption.objects.select_related("organisation")))
        .order_by(F("recheck_date").asc(nulls_last=True), "project__title", "pk")
    )
    return SystemChangeFilter(request.GET, queryset=changes, user=request.user)


def system_change_register(request):
    """Every system change of the projects the user sees, with its current status; filters, and the ones whose
    re-check date has come ("is this still practice?")."""
    change_filter = filtered_system_changes(request)
    page = paginate(request, change_filter.qs)
    context = {"filter": change_filter, "page": page, "today": timezone.localdate()}
    template = (
        "projects/system_change_register.html#results" if is_htmx(request) else "projects/system_change_register.html"
    )
    return render(request, template, context)


def filtered_learning_entries(request, people):
    """The learning register's filter over the learning log of the projects the user sees, newest first, with
    what naming their authors needs (page and export)."""
    entries = people.prefetch_authors(
        LearningEntry.objects.filter(project__in=Project.objects.visible_to(request.user)).select_related("project"),
        "author",
    ).order_by(F("date").desc(nulls_last=True), "-created_at", "-pk")
    return LearningEntryFilter(request.GET, queryset=entries, user=request.user)


def learning_register(request):
    """The learning log of every project the user sees (Gjort / Lært / Lurt): the organisation's own learning."""
    people = names_for(request.user)
    entry_filter = filtered_learning_entries(request, people)
    page = paginate(request, entry_filter.qs)
    for entry in page.object_list:
        entry.author_shown = people.author_label(entry.author, entry.project_id)
    context = {"filter": entry_filter, "page": page}
    template = "projects/learning_register.html#results" if is_htmx(request) else "projects/learning_register.html"
    return render(request, template, context)


def filtered_results(request):
    """The result register's filter over the results of the projects the user sees, newest first."""
    results = (
        Result.objects.filter(project__in=Project.objects.visible_to(request.user))
        .select_related("project")
        .order_by(F("date").desc(nulls_last=True), "project__title", "pk")
    )
    return ResultFilter(request.GET, queryset=results, user=request.user)


def result_register(request):
    """The stated results of every project the user sees."""
    result_filter = filtered_results(request)
    page = paginate(request, result_filter.qs)
    context = {"filter": result_filter, "page": page}
    template = "projects/result_register.html#results" if is_htmx(request) else "projects/result_register.html"
    return render(request, template, context)


def step_create(request, slug, pk):
    """Record the next step in the life of a system change: dated, with who recorded it."""
    project = get_project_for_user(request.user, slug)
    change = get_object_or_404(SystemChange.objects.with_status(), project=project, pk=pk)
    require(request.user, "projects.change_systemchange", change)
    step = SystemChangeStep(change=change, recorded_by=request.user)
    form = SystemChangeStepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid() and save_or_conflict(form.save):
        messages.success(request, _("Step saved."))
        return redirect(f"{project.get_absolute_url()}#system-changes")
    people = names_for(request.user)
    steps = list(people.prefetch_authors(change.steps.all(), "recorded_by"))
    for each in steps:
        each.recorded_by_shown = people.author_label(each.recorded_by, project.pk)
    context = {"form": form, "project": project, "change": change, "steps": steps}
    return render(request, "projects/step_form.html", context)


def get_change(request, slug, pk):
    """A system change of a project the user sees (404 otherwise) that is theirs to record the life of (403)."""
    project = get_project_for_user(request.user, slug)
    change = get_object_or_404(SystemChange, project=project, pk=pk)
    require(request.user, "projects.change_systemchange", change)
    return project, change


def adoption_create(request, slug, pk):
    """Record an organisation that decided, adopted or continued a system change, with its role."""
    project, change = get_change(request, slug, pk)
    form = AdoptionForm(request.POST or None, instance=SystemChangeAdoption(change=change))
    if request.method == "POST" and form.is_valid():
        adoption = form.save()
        messages.success(
            request, _("%(organisation)s was recorded for the change.") % {"organisation": adoption.organisation.name}
        )
        return redirect(f"{project.get_absolute_url()}#system-changes")
    adoptions = change.adoptions.select_related("organisation")
    context = {"form": form, "project": project, "change": change, "adoptions": adoptions}
    return render(request, "projects/adoption_form.html", context)


def adoption_delete(request, slug, pk):
    project = get_project_for_user(request.user, slug)
    adoption = get_object_or_404(
        SystemChangeAdoption.objects.select_related("change", "organisation"), change__project=project, pk=pk
    )
    require(request.user, "projects.change_systemchange", adoption.change)
    if request.method == "POST":
        adoption.delete()
        messages.success(
            request, _("%(organisation)s was removed from the change.") % {"organisation": adoption.organisation.name}
        )
        return redirect(f"{project.get_absolute_url()}#system-changes")
    return render(request, "projects/adoption_delete.html", {"project": project, "adoption": adoption})


def funding(request):
    """Grants added up by funder and year, for coordinators: what the portfolio lives on, and the reports due.
    Counted are the grants that were granted (reported ones included), in the year their period starts."""
    if not can(request.user, "projects.view_funding"):
        raise Http404
    grants = Grant.objects.filter(project__in=Project.objects.alive())
    totals = (
        grants.counted()
        .annotate(year=ExtractYear("start_date"))
        .values("funder", "funder__name", "year")
        .annotate(total=Sum("amount"), projects=Count("project", distinct=True), grant_count=Count("pk"))
        .order_by("funder__name", F("year").asc(nulls_last=True))
    )
    deadlines = (
        grants.exclude(status__in=["reported", "rejected"])
        .filter(reporting_deadline__isnull=False)
        .select_related("project", "funder")
        .order_by("reporting_deadline", "pk")
    )
    context = {
        "page": paginate(request, totals),
        "sum": grants.counted().aggregate(total=Sum("amount"))["total"],
        "deadlines": deadlines[:20],
        "today": timezone.localdate(),
    }
    return render(request, "projects/funding.html", context)


def filtered_organisations(request):
    organisations = (
        Organisation.objects.select_related("municipality")
        .annotate(project_count=Count("projects", filter=Q(projects__deleted_at__isnull=True), distinct=True))
        .order_by("name")
    )
    return OrganisationFilter(request.GET, queryset=organisations, user=request.user)


def organisation_list(request):
    organisation_filter = filtered_organisations(request)
    page = paginate(request, organisation_filter.qs)
    context = {"filter": organisation_filter, "page": page}
    template = "projects/organisation_list.html#results" if is_htmx(request) else "projects/organisation_list.html"
    return render(request, template, context)


def organisation_detail(request, pk):
    """The partner page. Every block shows at most panels.BLOCK_LIMIT rows, with the count of all and a link to
    the full list filtered to the organisation: an organisation may be in 1,500 projects."""
    organisation = get_object_or_404(Organisation.objects.select_related("municipality", "district"), pk=pk)
    visible = Project.objects.visible_to(request.user)
    partnerships = (
        organisation.partnerships.filter(project__in=visible).select_related("project").order_by("project__title")
    )
    network = Organisation.objects.network_of(organisation, visible).order_by("-shared", "name")
    context = {
        "organisation": organisation,
        "partnerships": partnerships[: panels.BLOCK_LIMIT],
        "project_count": visible.with_partner(organisation).count(),
        "projects_url": list_url("projects:project_list", partner=organisation.pk),
        # Projects the user may not open are left out, and counted, so the list is honest without a link to a 404.
        "hidden_projects": Project.objects.alive()
        .with_partner(organisation)
        .exclude(pk__in=visible.values("pk"))
        .count(),
        "network": network[: panels.BLOCK_LIMIT],
        "network_count": network.count(),
        "network_url": list_url("projects:organisation_list", worked_with=organisation.pk),
        "can_edit": can(request.user, "projects.change_organisation", organisation),
        **panels.context_for("organisation", request, organisation),
    }
    return render(request, "projects/organisation_detail.html", context)


def organisation_create(request):
    require(request.user, "projects.add_organisation")
    return organisation_form(request, Organisation())


def organisation_edit(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    require(request.user, "projects.change_organisation", organisation)
    return organisation_form(request, organisation)


def organisation_form(request, organisation):
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid() and (saved := save_or_conflict(form.save)):
        messages.success(request, _("The organisation “%(name)s” was saved.") % {"name": saved.name})
        return redirect(saved)
    return render(request, "projects/organisation_form.html", {"form": form, "organisation": organisation})


def counted_municipalities(user):
    """The municipalities, each with the number of projects in it that the user sees (page and export)."""
    return Municipality.objects.annotate(
        project_count=Count("projects", filter=Q(projects__in=Project.objects.visible_to(user)), distinct=True)
    ).order_by("name")


def municipality_list(request):
    municipalities = counted_municipalities(request.user)
    return render(request, "projects/municipality_list.html", {"municipalities": municipalities})


def municipality_detail(request, number):
    """The municipality page. Every block shows at most panels.BLOCK_LIMIT rows, with the count of all and a link
    to the full list filtered to the municipality: Oslo has thousands of projects and partners."""
    municipality = get_object_or_404(Municipality, number=number)
    visible = Project.objects.visible_to(request.user)
    projects = visible.in_municipality(municipality)
    by_status = dict(projects.order_by().values_list("status").annotate(n=Count("pk")))
    partners = Organisation.objects.active_in(municipality, projects).order_by("name")
    context = {
        "municipality": municipality,
        "districts": municipality.districts.all(),
        "projects": projects.order_by("title")[: panels.BLOCK_LIMIT],
        "project_count": sum(by_status.values()),
        "projects_url": list_url("projects:project_list", in_municipality=municipality.pk),
        "hidden_projects": Project.objects.alive()
        .in_municipality(municipality)
        .exclude(pk__in=visible.values("pk"))
        .count(),
        "partners": partners[: panels.BLOCK_LIMIT],
        "partner_count": partners.count(),
        "partners_url": list_url("projects:organisation_list", in_municipality=municipality.pk),
        "by_status": [(status.label, by_status.get(status.value, 0)) for status in ProjectStatus],
        **panels.context_for("municipality", request, municipality, projects=projects),
    }
    return render(request, "projects/municipality_detail.html", context)


# Change history, restoring an earlier version, and deleting (krem/history.py, krem/versioning.py)


def project_history_sources(project):
    """The project and the rows that belong to it, for its History page."""
    of_project = {"project_id": project.pk}
    return [
        Source(Project, {"id": project.pk}),
        Source(Partnership, of_project, _("Partner"), "organisation", exclude=("project",)),
        Source(LearningEntry, of_project, _("Learning entry"), "text", exclude=("project",)),
        Source(Result, of_project, _("Result"), "description", exclude=("project",)),
        Source(SystemChange, of_project, _("System change"), "description", exclude=("project",)),
        Source(
            SystemChangeStep,
            {"change__project_id": project.pk},
            _("Step of a system change"),
            "status",
            exclude=("change",),
        ),
        Source(
            SystemChangeAdoption,
            {"change__project_id": project.pk},
            _("Adopting organisation"),
            "organisation",
            exclude=("change",),
        ),
        Source(Document, of_project, _("Document or link"), "title", exclude=("project",)),
        Source(Grant, of_project, _("Grant"), "funder", exclude=("project",)),
        Source(Indicator, of_project, _("Indicator"), "name", exclude=("project",)),
        Source(Measurement, {"indicator__project_id": project.pk}, _("Measurement"), "value", exclude=("indicator",)),
    ]


def project_crumbs(project):
    return [(_("Projects"), reverse("projects:project_list")), (project.title, project.get_absolute_url())]


def project_history(request, slug):
    project = get_project_for_user(request.user, slug)
    may_restore = can(request.user, "projects.restore_project", project)
    return render_history(
        request,
        obj=project,
        sources=project_history_sources(project),
        heading=project.title,
        crumbs=project_crumbs(project),
        restore_url=(lambda record: reverse("projects:project_restore", args=[project.slug, record.history_id]))
        if may_restore
        else None,
        project_id=project.pk,
    )


def project_restore(request, slug, history_id):
    project = get_project_for_user(request.user, slug)
    return restore_version(
        request,
        obj=project,
        history_id=history_id,
        may_restore=can(request.user, "projects.restore_project", project),
        history_url=reverse("projects:project_history", args=[project.slug]),
        heading=project.title,
        crumbs=project_crumbs(project),
    )


def project_delete(request, slug):
    """Ask first (GET); delete on POST. The project goes to "Deleted items", where a coordinator can restore it."""
    project = get_project_for_user(request.user, slug)
    require(request.user, "projects.delete_project", project)
    if request.method == "POST":
        services.delete_project(project=project)
        messages.success(
            request,
            _(
                "The project “%(title)s” was deleted. A coordinator can restore it from “Deleted items” for %(days)s days."
            )
            % {"title": project.title, "days": RESTORE_DAYS},
        )
        return redirect("projects:project_list")
    context = {"project": project, "dialogue_count": project.dialogues.alive().count(), "days": RESTORE_DAYS}
    return render(request, "projects/project_delete.html", context)


def organisation_crumbs(organisation):
    return [
        (_("Partners"), reverse("projects:organisation_list")),
        (organisation.name, organisation.get_absolute_url()),
    ]


def organisation_history(request, pk):
    """Every partner organisation is visible to every user (see organisation_detail), and so is its history."""
    organisation = get_object_or_404(Organisation, pk=pk)
    may_restore = can(request.user, "projects.restore_organisation", organisation)
    return render_history(
        request,
        obj=organisation,
        sources=[Source(Organisation, {"id": organisation.pk})],
        heading=organisation.name,
        crumbs=organisation_crumbs(organisation),
        restore_url=(lambda record: reverse("projects:organisation_restore", args=[organisation.pk, record.history_id]))
        if may_restore
        else None,
    )


def organisation_restore(request, pk, history_id):
    organisation = get_object_or_404(Organisation, pk=pk)
    return restore_version(
        request,
        obj=organisation,
        history_id=history_id,
        may_restore=can(request.user, "projects.restore_organisation", organisation),
        history_url=reverse("projects:organisation_history", args=[organisation.pk]),
        heading=organisation.name,
        crumbs=organisation_crumbs(organisation),
    )


# Lookups: the options a BoundedSelect's search swaps in (kremlib/widgets.py), as the pages show the rows.


@require_safe
def project_lookup(request):
    """Projects the user sees (Project.objects.visible_to, as the project list), by title."""
    projects = Project.objects.visible_to(request.user).order_by("title", "pk")
    return lookup_options(request, projects, search=lambda rows, query: rows.filter(title__icontains=query))


@require_safe
def organisation_lookup(request):
    """Organisations, as the partner list shows them (all of them, to everyone signed in), by name; only active
    ones with ?active=1, for the forms that offer only those (a new partnership, a responsible organisation)."""
    organisations = Organisation.objects.order_by("name", "pk")
    if request.GET.get("active"):
        organisations = organisations.filter(is_active=True)
    return lookup_options(request, organisations, search=lambda rows, query: rows.filter(name__icontains=query))
