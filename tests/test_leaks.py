"""The leak hunt: nobody sees a name, an author or a withdrawn quote that the naming policy hides from them.

A world with planted markers (tests/test_permission_matrix.py's world, plus people in every state the policy
must hide):
- an attendee, a facilitator and a responsible person who never consented to being named;
- a person who consented and withdrew it again (what was named "before" must not stay named);
- a learning-log author with a lived-experience perspective and no consent, who also edited the project, the
  organisation, the dialogue and the outcome (so history rows carry their account);
- an insight whose author withdrew their consent to quoting, edited once (so history holds two versions).

For a member of the project's partner organisation and for a participant who attended, every address of the
permission matrix is requested as the matrix requests it (GET, or POST with its data, following redirects so
that the message after the POST is read too), plus the htmx partials with every parameter, and no response body
may hold any marker. Coordinators see names; they are not crawled here.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from dialogues.forms_outcome import OUTCOME_FORMSETS
from participants.models import ConsentPurpose
from projects.models import LearningEntry
from tests.factories import (
    AttendanceFactory,
    ConsentFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    InsightFactory,
    OutcomeCommentFactory,
    ParticipantFactory,
    UserFactory,
)
from tests.test_permission_matrix import MATRIX, make_world

pytestmark = pytest.mark.django_db

VIEWERS = ["member", "participant"]

# ASCII markers, so that no escaping or case folding can hide a hit.
HIDDEN_NAME, HIDDEN_EMAIL, HIDDEN_PHONE = "Zqxhidden Navnesen", "zqxhidden@example.org", "90011223"
WITHDRAWN_NAME, WITHDRAWN_EMAIL = "Zqxwithdrawn Trekkesen", "zqxwithdrawn@example.org"
THIRD_NAME = "Zqxthird Tredjesen"
AUTHOR_NAME, AUTHOR_LOGIN, AUTHOR_FIRST = "Zqxauthor Skrivesen", "zqxauthor@example.org", "Zqxauthorfirst"
QUOTE_FIRST, QUOTE_EDITED = "Zqxquote first wording", "Zqxquote edited wording"
MARKERS = [
    HIDDEN_NAME,
    HIDDEN_EMAIL,
    HIDDEN_PHONE,
    WITHDRAWN_NAME,
    WITHDRAWN_EMAIL,
    THIRD_NAME,
    AUTHOR_NAME,
    AUTHOR_LOGIN,
    AUTHOR_FIRST,
    QUOTE_FIRST,
    QUOTE_EDITED,
]


@pytest.fixture(autouse=True)
def site_language_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def as_author(obj, author):
    """Say that `author` made the latest change of `obj` (as the history middleware would have)."""
    record = obj.history.order_by("-history_date", "-history_id").first()
    type(record).objects.filter(pk=record.pk).update(history_user=author)


def make_leak_world():
    world = make_world()
    project, held, partner, outcome = world["project"], world["held"], world["partner"], world["outcome"]
    # A colleague in the member's own organisation who never consented to being named.
    hidden = ParticipantFactory(
        display_name=HIDDEN_NAME,
        email=HIDDEN_EMAIL,
        phone=HIDDEN_PHONE,
        organisation=partner,
        perspective="lived_experience",
    )
    AttendanceFactory(dialogue=held, participant=hidden)
    # Someone who consented to being named, was named as facilitator and responsible, then withdrew.
    withdrawn = ParticipantFactory(display_name=WITHDRAWN_NAME, email=WITHDRAWN_EMAIL, organisation=partner)
    consent = ConsentFactory(participant=withdrawn, purpose=ConsentPurpose.ATTENDANCE)
    AttendanceFactory(dialogue=held, participant=withdrawn)
    held.facilitating_participants.add(hidden, withdrawn)
    FollowUpActionFactory(dialogue=held, responsible_participant=hidden, responsible_organisation=None, what="Ring NAV")
    FollowUpActionFactory(dialogue=held, responsible_participant=withdrawn, responsible_organisation=None, what="Skriv")
    consent.withdrawn_at = timezone.now()
    consent.save()
    # The attendee the matrix removes by id, now without a consent: removing by id must not name them.
    third = world["third"].participant
    third.display_name = THIRD_NAME
    third.save()
    third.consents.all().delete()
    # An author with lived experience and no consent, who logged learning and edited things.
    author = UserFactory(username=AUTHOR_LOGIN, email=AUTHOR_LOGIN, first_name=AUTHOR_FIRST, last_name="Skrivesen")
    ParticipantFactory(user=author, display_name=AUTHOR_NAME, organisation=partner, perspective="lived_experience")
    entry = LearningEntry.objects.create(project=project, kind="learned", text="Vi lærte å lytte.", author=author)
    as_author(entry, author)
    for obj in (project, partner, held, outcome):
        obj.save()
        as_author(obj, author)
    # An insight whose author withdrew their consent to quoting; two wordings in its history.
    quoter = ParticipantFactory(display_name="Siterte Person")
    AttendanceFactory(dialogue=held, participant=quoter)
    insight = InsightFactory(dialogue=held, participant=quoter, text=QUOTE_FIRST)
    insight.text = QUOTE_EDITED
    insight.save()
    as_author(insight, author)
    ConsentFactory(participant=quoter, purpose=ConsentPurpose.QUOTING, withdrawn_at=timezone.now())
    # The hidden colleague's contributions: shown by perspective, never by author.
    FeedbackFactory(dialogue=held, participant=hidden, note="Godt møte.")
    OutcomeCommentFactory(outcome=outcome, participant=hidden, text="Jeg kjenner meg igjen.")
    InsightFactory(dialogue=held, participant=hidden, text="Vi må bli hørt.")
    return world


def extra_requests(world):
    """Addresses with parameters the matrix does not vary: every htmx row partial, every row index."""
    held = world["held"].pk
    for formset in OUTCOME_FORMSETS:
        for index in (0, 1, 5):
            yield "get", reverse("dialogues:outcome_row", args=[formset]), {"dialogue": held, "index": index}
    for name in ("dialogues:agenda_row", "projects:partner_row"):
        yield "get", reverse(name), {"index": 1}
    yield "get", reverse("dialogues:dialogue_list"), {"q": "Holdt"}
    yield "get", reverse("projects:project_history", args=[world["project"].slug]), {"side": 1}
    yield "get", reverse("dialogues:outcome_history", args=[held]), {"side": 1}


def hits(body):
    text = body.decode("utf-8", errors="replace").lower()
    return [marker for marker in MARKERS if marker.lower() in text]


def crawl(client, world, requests):
    found = {}
    for method, url, data in requests:
        response = getattr(client, method)(url, data, follow=True)
        # Downloads (calendar feeds, uploaded files) stream their bodies.
        bodies = [b"".join(response.streaming_content)] if response.streaming else [response.content]
        for body in bodies:
            if leaked := hits(body):
                found[f"{method.upper()} {url} {data}"] = leaked
    return found


def matrix_request(world, name):
    entry = MATRIX[name]
    return (
        entry.method,
        reverse(name, args=entry.args(world)),
        entry.data(world) if entry.method == "post" else entry.query(world),
    )


def client_for(world, viewer):
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    client.force_login(world[viewer])
    return client


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("name", sorted(name for name in MATRIX if name != "logout"))
def test_no_marker_on_any_address(name, viewer):
    world = make_leak_world()
    found = crawl(client_for(world, viewer), world, [matrix_request(world, name)])
    assert found == {}, found


@pytest.mark.parametrize("viewer", VIEWERS)
def test_no_marker_in_partials_and_pages_with_parameters(viewer):
    world = make_leak_world()
    found = crawl(client_for(world, viewer), world, list(extra_requests(world)))
    assert found == {}, found


def test_the_world_holds_every_marker_for_a_coordinator():
    """The hunt can fail: a coordinator, who may see names, finds every marker somewhere in the same crawl."""
    world = make_leak_world()
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    client.force_login(world["coordinator"])
    seen = set()
    requests = [matrix_request(world, name) for name in sorted(MATRIX) if MATRIX[name].method == "get"]
    requests += list(extra_requests(world))
    requests.append(("get", reverse("participants:participant_list"), {}))
    for marker in (HIDDEN_NAME, WITHDRAWN_NAME, THIRD_NAME, AUTHOR_NAME):
        requests.append(("get", reverse("participants:participant_list"), {"q": marker}))
    for leaked in crawl(client, world, requests).values():
        seen.update(leaked)
    assert seen >= {HIDDEN_NAME, WITHDRAWN_NAME, THIRD_NAME, QUOTE_FIRST, QUOTE_EDITED, AUTHOR_FIRST}, seen
