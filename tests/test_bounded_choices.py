"""Choices over big tables are bounded (issue 16): a select renders the blank choice, what is chosen and the first
LOOKUP_LIMIT rows, and a search asks a lookup view that answers with what the user may see, no more.

test_every_model_choice_over_a_big_table_is_bounded walks every form and filter set of the app: the next
ModelChoiceField over projects, organisations, dialogues or people with an ordinary <select> fails it.
"""

import copy
import importlib
import pkgutil
import re
from urllib.parse import urlencode

import django_filters
import pytest
from django import forms
from django.http import QueryDict
from django.urls import reverse

from dialogues.filters import DialogueFilter
from dialogues.models import Dialogue, Series
from kremlib.lookups import MAX_QUERY
from kremlib.widgets import LOOKUP_LIMIT, BoundedSelect, BoundedSelectMultiple
from projects.models import CatalogueIndicator, District, Municipality, Organisation, Project
from tests.factories import (
    AttendanceFactory,
    ConsentFactory,
    CoordinatorFactory,
    DialogueFactory,
    HeldDialogueFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)
from tests.querycount import assert_num_queries, count_queries

APPS = ("projects", "participants", "dialogues", "notices", "krem", "kremlib")

# Small reference data: 357 municipalities and their districts, the series of gatherings (a few dozen) and the
# indicator catalogue may stay ordinary selects and checkboxes.
REFERENCE = {Municipality, District, Series, CatalogueIndicator}

# Fields over a big table whose queryset is one project's own rows, so bounded by the project, and why.
SCOPED = {
    ("DialogueForm", "facilitators"): "the project's partner organisations (checkboxes)",
    ("DialogueForm", "facilitating_participants"): "people of the project's partners who consented (checkboxes)",
    ("ActionForm", "responsible_organisation"): "the project's partners; choices read once for every row",
    ("ActionForm", "responsible_participant"): "the project's and the dialogue's people; read once for every row",
    ("SystemChangeForm", "evidence_documents"): "the project's own documents",
    ("SystemChangeForm", "indicators"): "the project's own indicators",
    ("GrantForm", "documents"): "the project's own documents",
}


def import_every_module():
    """Every module of the app (but migrations and the admin's own forms), so that every form class exists."""
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module.name or module.name.endswith(".admin"):
                continue
            importlib.import_module(module.name)


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def ours(cls):
    return cls.__module__.split(".")[0] in APPS and not cls.__module__.endswith(".admin")


def model_choice_fields():
    """(class name, field name, form field) of every model choice in the app's forms and filter sets."""
    import_every_module()
    for form_class in {cls for cls in subclasses(forms.BaseForm) if ours(cls)}:
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.ModelChoiceField):
                yield form_class.__name__, name, field
    for filterset in {cls for cls in subclasses(django_filters.FilterSet) if ours(cls)}:
        for name, base in filterset.base_filters.items():
            if isinstance(base, (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)):
                yield filterset.__name__, name, copy.deepcopy(base).field  # a copy: .field caches itself


def test_every_model_choice_over_a_big_table_is_bounded():
    found = list(model_choice_fields())
    assert len(found) > 15, "the walk found too few fields: it does not see the forms"
    unbounded = [
        f"{owner}.{name} ({field.queryset.model.__name__}, {type(field.widget).__name__})"
        for owner, name, field in found
        if field.queryset.model not in REFERENCE
        and (owner, name) not in SCOPED
        and not isinstance(field.widget, (BoundedSelect, forms.HiddenInput))  # a hidden input renders one value
    ]
    assert unbounded == [], "use kremlib.widgets.BoundedSelect (or say in SCOPED why the choices are few)"


def test_the_walk_sees_the_fields_that_were_unbounded():
    seen = {(owner, name) for owner, name, _field in model_choice_fields()}
    assert {
        ("ParticipantFilter", "organisation"),
        ("ParticipantFilter", "project"),
        ("ParticipantFilter", "dialogue"),
        ("DialogueFilter", "project"),
        ("ProjectFilter", "partner"),
        ("PartnershipForm", "organisation"),
        ("AttendeeForm", "participant"),
        ("MergeForm", "duplicate"),
    } <= seen
    assert set(SCOPED) <= seen, "SCOPED names a field that no longer exists"


# The widget


def options(html):
    return re.findall(r"<option[^>]*>", html)


@pytest.fixture
def many_projects(db):
    return [ProjectFactory(title=f"Prosjekt {number:03}") for number in range(LOOKUP_LIMIT + 20)]


def project_select(user, data=None):
    return str(DialogueFilter(data or {}, queryset=Dialogue.objects.all(), user=user).form["project"])


def test_select_renders_the_blank_choice_and_the_first_rows_only(many_projects, django_assert_num_queries):
    coordinator = CoordinatorFactory()
    with django_assert_num_queries(2):  # whether the user is a coordinator; the first rows and one more
        html = project_select(coordinator)
    assert len(options(html)) == LOOKUP_LIMIT + 1
    assert "Prosjekt 000" in html and f"Prosjekt {LOOKUP_LIMIT - 1:03}" in html
    assert f"Prosjekt {LOOKUP_LIMIT:03}" not in html
    assert "data-bounded-search hidden" in html and "disabled" in html  # the search: krem.js shows it


def test_select_keeps_the_chosen_row_beyond_the_first(many_projects, django_assert_num_queries):
    coordinator = CoordinatorFactory()
    last = many_projects[-1]
    with django_assert_num_queries(4):  # + the filter's own check of the chosen id, and the chosen row
        html = project_select(coordinator, {"project": last.pk})
    assert len(options(html)) == LOOKUP_LIMIT + 2
    assert f'<option value="{last.pk}" selected>{last.title}</option>' in html


def test_chosen_value_accepted_though_not_rendered(many_projects):
    last = many_projects[-1]
    dialogue = DialogueFactory(project=last)
    DialogueFactory(project=many_projects[0])
    chosen = DialogueFilter({"project": last.pk}, queryset=Dialogue.objects.all(), user=CoordinatorFactory())
    assert list(chosen.qs) == [dialogue]


def test_multiple_select_keeps_every_chosen_row(many_projects):
    class Form(forms.Form):
        projects = forms.ModelMultipleChoiceField(
            queryset=Project.objects.order_by("title"),
            widget=BoundedSelectMultiple(lookup="projects:project_lookup", search_label="Søk"),
        )

    chosen = [many_projects[-1], many_projects[-2]]
    form = Form(QueryDict(urlencode([("projects", p.pk) for p in chosen])))
    assert form.is_valid() and set(form.cleaned_data["projects"]) == set(chosen)
    html = str(form["projects"])
    assert "multiple" in html and len(options(html)) == LOOKUP_LIMIT + 2
    assert all(f'<option value="{p.pk}" selected>' in html for p in chosen)


def test_select_names_no_chosen_row_the_user_may_not_see(db):
    hidden = ProjectFactory(title="Hemmelig prosjekt")
    member = member_of(OrganisationFactory())
    assert "Hemmelig prosjekt" not in project_select(member, {"project": hidden.pk})


def test_small_table_has_no_search(db):
    ProjectFactory(title="Eneste prosjekt")
    html = project_select(CoordinatorFactory())
    assert "Eneste prosjekt" in html and 'type="search"' not in html


@pytest.mark.parametrize("value", ["abc", "-1", "9223372036854775808", "1e5", "\x00"])
def test_nonsense_chosen_value_renders_without_error(many_projects, value):
    html = project_select(CoordinatorFactory(), {"project": value})
    assert len(options(html)) == LOOKUP_LIMIT + 1


def test_registry_filters_are_bounded(client, coordinator):
    for _ in range(LOOKUP_LIMIT + 5):
        AttendanceFactory(participant__organisation=OrganisationFactory())
    client.force_login(coordinator)
    html = client.get(reverse("participants:participant_list")).content.decode()
    for name in ("organisation", "project", "dialogue"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        assert len(options(select)) == LOOKUP_LIMIT + 1, name
        assert f'name="{name}__search"' in html
    assert "Søk etter prosjekt" in html


# The lookups


@pytest.fixture
def world(db):
    partner = OrganisationFactory(name="NAV Oppslag")
    project = ProjectFactory(title="Oppslagsprosjekt")
    PartnershipFactory(project=project, organisation=partner)
    other = ProjectFactory(title="Fremmed prosjekt")
    PartnershipFactory(project=other, organisation=OrganisationFactory(name="Annen etat"))
    held = HeldDialogueFactory(project=project, title="Oppslagsdialog")
    named = ParticipantFactory(display_name="Navngitt Person", organisation=partner)
    ConsentFactory(participant=named, purpose="attendance")
    ParticipantFactory(display_name="Hemmelig Person", organisation=partner)  # no consent to being named
    return {
        "partner": partner,
        "project": project,
        "other": other,
        "held": held,
        "other_dialogue": DialogueFactory(project=other, title="Fremmed dialog"),
        "member": member_of(partner),
        "outsider": member_of(OrganisationFactory()),
        "coordinator": CoordinatorFactory(),
    }


def lookup(client, user, name, args=(), **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


LOOKUPS = [
    ("projects:project_lookup", ()),
    ("projects:organisation_lookup", ()),
    ("dialogues:dialogue_lookup", ()),
    ("participants:participant_lookup", ()),
]


@pytest.mark.parametrize("name", [name for name, _args in LOOKUPS] + ["dialogues:attendee_lookup"])
def test_anonymous_is_sent_to_login(client, world, name):
    args = [world["held"].pk] if name == "dialogues:attendee_lookup" else []
    response = client.get(reverse(name, args=args), {"q": "o"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_outsider_sees_no_project_or_dialogue_of_others(client, world):
    projects = lookup(client, world["outsider"], "projects:project_lookup").content.decode()
    assert "Oppslagsprosjekt" not in projects and "Fremmed prosjekt" not in projects
    dialogues = lookup(client, world["outsider"], "dialogues:dialogue_lookup", q="dialog").content.decode()
    assert "Oppslagsdialog" not in dialogues and "Fremmed dialog" not in dialogues


def test_outsider_gets_no_people(client, world):
    assert lookup(client, world["outsider"], "participants:participant_lookup").status_code == 403
    response = lookup(client, world["outsider"], "dialogues:attendee_lookup", [world["held"].pk], q="Person")
    assert response.status_code == 404


def test_member_sees_own_projects_and_dialogues_only(client, world):
    projects = lookup(client, world["member"], "projects:project_lookup", q="prosjekt").content.decode()
    assert "Oppslagsprosjekt" in projects and "Fremmed prosjekt" not in projects
    dialogues = lookup(client, world["member"], "dialogues:dialogue_lookup").content.decode()
    assert "Oppslagsdialog" in dialogues and "Fremmed dialog" not in dialogues


def test_member_finds_only_people_they_may_name(client, world):
    assert lookup(client, world["member"], "participants:participant_lookup", q="Person").status_code == 403
    response = lookup(client, world["member"], "dialogues:attendee_lookup", [world["held"].pk], q="Person")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Navngitt Person" in html
    assert "Hemmelig" not in html and "not named" not in html and "ikke navngitt" not in html
    hidden = lookup(client, world["member"], "dialogues:attendee_lookup", [world["held"].pk], q="Hemmelig")
    assert options(hidden.content.decode()) == []


def test_coordinator_sees_everything_with_the_registry_label(client, world):
    projects = lookup(client, world["coordinator"], "projects:project_lookup", q="prosjekt").content.decode()
    assert "Oppslagsprosjekt" in projects and "Fremmed prosjekt" in projects
    people = lookup(client, world["coordinator"], "participants:participant_lookup", q="hemmelig").content.decode()
    assert "Hemmelig Person (#" in people and "NAV Oppslag" in people
    attendees = lookup(client, world["coordinator"], "dialogues:attendee_lookup", [world["held"].pk], q="Hemmelig")
    assert "Hemmelig Person" in attendees.content.decode()


def test_empty_search_gives_the_first_rows_in_order(client, coordinator):
    titles = [f"Prosjekt {number:03}" for number in range(LOOKUP_LIMIT + 5)]
    for title in reversed(titles):
        ProjectFactory(title=title)
    html = lookup(client, coordinator, "projects:project_lookup").content.decode()
    assert re.findall(r">(Prosjekt \d+)<", html) == titles[:LOOKUP_LIMIT]
    assert "søk for å finne andre" in html


def test_search_keeps_the_chosen_one(client, world):
    chosen = world["other"]
    html = lookup(
        client,
        world["coordinator"],
        "projects:project_lookup",
        keep="project",
        project=chosen.pk,
        project__search="Oppslag",
        group="id_project-choices",
    ).content.decode()
    assert f'<option value="{chosen.pk}" selected>Fremmed prosjekt</option>' in html
    assert ">Oppslagsprosjekt</option>" in html
    assert html.strip().startswith('<optgroup id="id_project-choices"')


def test_search_does_not_keep_what_the_user_may_not_see(client, world):
    html = lookup(
        client, world["member"], "projects:project_lookup", keep="project", project=world["other"].pk
    ).content.decode()
    assert "Fremmed prosjekt" not in html


def test_active_only_leaves_out_inactive_organisations(client, world):
    OrganisationFactory(name="NAV Nedlagt", is_active=False)
    everyone = lookup(client, world["member"], "projects:organisation_lookup", q="NAV").content.decode()
    active = lookup(client, world["member"], "projects:organisation_lookup", q="NAV", active=1).content.decode()
    assert "NAV Nedlagt" in everyone and "NAV Nedlagt" not in active and "NAV Oppslag" in active


@pytest.mark.parametrize(
    "query", ["x" * 10_000, "a\x00b", "%_\\'\"; DROP TABLE", "<script>alert(1)</script>", "ø̸̡͎å", "   "]
)
@pytest.mark.parametrize("name", [name for name, _args in LOOKUPS])
def test_odd_input_is_no_error(client, world, name, query):
    response = lookup(
        client, world["coordinator"], name, q=query, keep="x", x=[query, "9223372036854775808"], group=query
    )
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_search_is_cut_to_its_limit(client, world):
    ProjectFactory(title="a" * MAX_QUERY)
    assert (
        "a" * MAX_QUERY in lookup(client, world["coordinator"], "projects:project_lookup", q="a" * 500).content.decode()
    )


def test_lookup_queries_do_not_grow_with_the_table(client, coordinator):
    url = reverse("projects:project_lookup")
    client.force_login(coordinator)
    ProjectFactory()
    one = count_queries(client, url, q="Prosjekt")
    for _ in range(LOOKUP_LIMIT + 5):
        ProjectFactory()
    assert count_queries(client, url, q="Prosjekt") == one
    # a chosen row is one query more
    assert_num_queries(client, url, one + 1, q="Prosjekt", keep="project", project=Project.objects.last().pk)


def test_lookup_labels_organisations_by_name(client, world):
    html = lookup(client, world["member"], "projects:organisation_lookup", q="Oppslag").content.decode()
    organisation = Organisation.objects.get(name="NAV Oppslag")
    assert f'<option value="{organisation.pk}">NAV Oppslag</option>' in html
