from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("prosjekter/<slug:slug>/rapport/", views.project_report, name="project_report"),
    path("prosjekter/<slug:slug>/rapport.pdf", views.project_report_pdf, name="project_report_pdf"),
    path("rapporter/portefolje/", views.portfolio_report, name="portfolio_report"),
    path("rapporter/portefolje.pdf", views.portfolio_report_pdf, name="portfolio_report_pdf"),
]
