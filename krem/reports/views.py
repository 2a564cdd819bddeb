"""The project report and the portfolio report, each as a page (printable) and as a PDF of the same page."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from projects.views import get_project_for_user, project_page_context

from . import queries
from .forms import PortfolioForm
from .pdf import pdf_response


def project_report_context(request, slug):
    """The project page's context, read-only: the report shows what the reader sees on the page, without tools."""
    project = get_project_for_user(request.user, slug)
    context = project_page_context(request, project)
    context.update(report=True, can_edit=False, can_add_learning=False, can_delete=False, can_plan=False)
    context["printed_at"] = timezone.localtime()
    return context


@require_safe
def project_report(request, slug):
    return render(request, "reports/project_report.html", project_report_context(request, slug))


@require_safe
def project_report_pdf(request, slug):
    context = project_report_context(request, slug)
    return pdf_response(request, "reports/project_report.html", context, f"rapport-{context['project'].slug}.pdf")


def portfolio_context(request):
    """The form (GET), and when it is valid the summary of every selected project and the chapters of one part."""
    form = PortfolioForm(request.GET or None)
    context = {"form": form, "report": True, "printed_at": timezone.localtime(), "max_chapters": queries.max_chapters()}
    if request.GET and not form.is_valid():
        return context
    data = form.cleaned_data if form.is_bound else {}
    selection = queries.Selection(
        **{name: data.get(name) for name in ("from_year", "to_year", "municipality", "partner")}
    )
    projects = queries.portfolio_projects(request.user, selection)
    gatherings = queries.portfolio_gatherings(projects, selection)
    page = queries.chapter_page(request, projects)
    context.update(
        selection=selection,
        summary=queries.summary(projects, gatherings),
        page=page,
        chapters=queries.chapters(list(page.object_list), gatherings, selection),
    )
    return context


@require_safe
def portfolio_report(request):
    return render(request, "reports/portfolio_report.html", portfolio_context(request))


@require_safe
def portfolio_report_pdf(request):
    context = portfolio_context(request)
    if "summary" not in context:  # the choices are not valid: the page says why
        return render(request, "reports/portfolio_report.html", context, status=400)
    part = f"-del-{context['page'].number}" if context["page"].paginator.num_pages > 1 else ""
    return pdf_response(request, "reports/portfolio_report.html", context, f"portefolje{part}.pdf")
