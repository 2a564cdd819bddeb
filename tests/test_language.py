"""The UI is Norwegian whatever the browser says, until the user picks English; the admin is Norwegian too."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.htmlforms import page_form

pytestmark = pytest.mark.django_db


def test_an_english_browser_gets_norwegian(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="nb"' in html
    assert "Logg inn" in html


def test_the_choice_of_english_is_remembered_after_the_switch(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert '<html lang="en"' in html
    client.post(reverse("set_language"), {"language": "nb", "next": reverse("login")})
    assert '<html lang="nb"' in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_language_in_the_cookie_falls_back_to_norwegian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="nb"' in client.get(reverse("login")).content.decode()


def test_every_page_links_a_favicon_that_exists(client):
    html = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in html
    assert finders.find("img/favicon.svg")


def test_the_admin_speaks_norwegian_where_django_and_axes_ship_no_translation(admin_client):
    from projects.models import Organisation

    url = reverse("admin:projects_organisation_add")
    response = admin_client.post(url, page_form(admin_client, url, name=""))
    html = response.content.decode()
    assert "Vennligst korriger feilen under." in html
    assert "Please correct the error below." not in html
    assert "Begynn å skrive for å filtrere" in html  # the sidebar's filter box
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Innloggingsforsøk" in index and "Access attempts" not in index
    assert Organisation.objects.count() == 0


def test_one_breadcrumb_separator_designsystemet_draws_it():
    css = open(finders.find("css/krem.css")).read()
    assert 'content: "›"' not in css
