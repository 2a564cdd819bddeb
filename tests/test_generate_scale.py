"""`generate_scale` fills the real tables with the national data set's shape (issue 16), here at 1/200 of its size."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse

from dialogues.models import Attendance, Dialogue, Insight
from participants.models import Participant
from projects.models import Organisation, Partnership, Project

pytestmark = pytest.mark.django_db(transaction=True)
SCALE = 0.005


@pytest.fixture
def generated():
    call_command("generate_scale", scale=SCALE, password="pw-16", stdout=open("/dev/null", "w"))


def test_sizes_follow_the_scale(generated):
    assert Project.objects.count() == 20_000 * SCALE
    assert Dialogue.objects.count() == 200_000 * SCALE
    assert Participant.objects.count() == 100_000 * SCALE + 1  # and the benchmark member
    assert 7 * Dialogue.objects.held().count() < Attendance.objects.count() < 13 * Dialogue.objects.count()
    assert 1.5 * Dialogue.objects.count() < Insight.objects.count() < 3 * Dialogue.objects.count()


def test_the_skew_is_there(generated):
    biggest = Project.objects.annotate(n=Count("dialogues")).order_by("-n").first()
    assert biggest.n >= 0.026 * Dialogue.objects.count()  # one project with thousands of dialogues at 1.0
    sizes = sorted(Project.objects.annotate(n=Count("dialogues")).values_list("n", flat=True))
    assert sizes[len(sizes) // 2] < biggest.n / 10  # most projects are small
    big_partner = Organisation.objects.get(name="Skalaorganisasjon 0")
    assert Partnership.objects.filter(organisation=big_partner).count() >= 0.06 * Project.objects.count()


def test_the_benchmark_accounts_see_the_pages(generated):
    for username in ("skala-koordinator", "skala-medlem"):
        user = User.objects.get(username=username)
        assert user.check_password("pw-16")
        client = Client()
        client.force_login(user)
        for name in ("home", "projects:project_list", "dialogues:dialogue_list"):
            assert client.get(reverse(name)).status_code == 200, (username, name)
    assert Project.objects.create(title="Etter", slug="etter").pk  # the id sequences were moved past the copied ids


def test_a_second_run_is_refused_and_changes_nothing(generated, capsys):
    before = Project.objects.count()
    with pytest.raises(SystemExit):
        call_command("generate_scale", scale=SCALE)
    assert Project.objects.count() == before
    assert "already holds" in capsys.readouterr().err


def test_the_voice_counts_equal_the_rows(generated):
    from dialogues.voice_counts import recount_all

    assert (
        Dialogue.objects.aggregate(n=Sum("named_staff"))["n"] == Attendance.objects.filter(perspective="staff").count()
    )
    assert (
        Dialogue.objects.aggregate(n=Sum("insights_joint"))["n"] == Insight.objects.filter(perspective="joint").count()
    )
    assert recount_all() == 0  # none differs from a full recount
