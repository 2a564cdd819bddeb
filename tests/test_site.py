"""The site shell: login required everywhere, home page counts, admin pages. Production settings: test_security.py."""

import pytest
from django.contrib import admin
from django.urls import reverse

from dialogues.models import DialogueStatus
from projects.models import ProjectStatus
from tests.factories import CoordinatorFactory, DialogueFactory, MunicipalityFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_open_and_in_norwegian(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="nb"' in response.content.decode()
    assert "Logg inn" in response.content.decode()


def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/logg-inn/"})
    response = client.get(reverse("login"))
    assert 'lang="en"' in response.content.decode()
    assert "Log in" in response.content.decode()


def test_failed_login_shows_error_summary_tied_to_form(client):
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "ds-error-summary" in html
    assert 'value="nobody"' in html  # what the user typed is kept


def test_field_errors_are_tied_with_aria_describedby(client, user):
    client.force_login(user)
    response = client.post(reverse("password_change"), {"old_password": "", "new_password1": "", "new_password2": ""})
    html = response.content.decode()
    assert 'aria-describedby="id_old_password-error"' in html
    assert 'id="id_old_password-error"' in html
    assert 'aria-invalid="true"' in html


def test_home_page_counts_projects_and_dialogues(client, user):
    """The dashboard's figures (krem/dashboard.py; tests/test_dashboard.py has the rest). Before issue 11 every
    user saw the counts of all projects; now a user with no project sees only their own part."""
    municipality = MunicipalityFactory()
    active = ProjectFactory(status=ProjectStatus.ACTIVE)
    active.municipalities.add(municipality)
    ProjectFactory(status=ProjectStatus.COMPLETED)
    held = DialogueFactory(project=active, status=DialogueStatus.HELD)
    DialogueFactory(project=active, status=DialogueStatus.PLANNED)
    client.force_login(CoordinatorFactory())
    year = held.starts_at.year
    response = client.get(reverse("home"), {"year_from": year - 1, "year_to": year})
    figures = {figure.key: figure.value for figure in response.context["dashboard"].figures}
    assert figures["projects"] == 2 and figures["active_projects"] == 1 and figures["dialogues_held"] == 1
    client.force_login(user)
    assert client.get(reverse("home")).context["dashboard"].figures == []


def admin_urls():
    for model in admin.site._registry:
        opts = model._meta
        yield f"admin:{opts.app_label}_{opts.model_name}_changelist"
        # django-axes keeps its login records read-only: its admin has no "add" page (it answers 403).
        if opts.app_label != "axes":
            yield f"admin:{opts.app_label}_{opts.model_name}_add"


@pytest.mark.parametrize("url_name", sorted(admin_urls()))
def test_every_admin_page_answers_for_a_superuser(client, admin_user, url_name):
    client.force_login(admin_user)
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", ["admin:projects_organisation_changelist"])
def test_organisation_admin_searches_by_name_and_number(client, admin_user, url_name):
    from tests.factories import OrganisationFactory

    OrganisationFactory(name="NAV Horten", org_number="974760673")
    OrganisationFactory(name="Røde Kors")
    client.force_login(admin_user)
    by_number = client.get(reverse(url_name), {"q": "974760673"})
    assert [o.name for o in by_number.context["cl"].result_list] == ["NAV Horten"]


def test_home_page_shows_my_next_gatherings_and_open_actions(client):
    from dialogues.models import FollowUpAction
    from tests.factories import OrganisationFactory, PartnershipFactory, member_of

    organisation = OrganisationFactory()
    mine = PartnershipFactory(organisation=organisation).project
    seminar = DialogueFactory(project=mine, title="Mitt neste seminar")
    DialogueFactory(title="Andres seminar")  # in a project the user is not part of
    FollowUpAction.objects.create(dialogue=seminar, what="Skrive referat", responsible_organisation=organisation)
    client.force_login(member_of(organisation))
    response = client.get(reverse("home"))
    assert [d.title for d in response.context["upcoming"]] == ["Mitt neste seminar"]
    assert response.context["my_open_actions"] == 1
    assert "Andres seminar" not in response.content.decode()
