"""Every link a user can follow leads somewhere: a crawl per role of the demo data (issue 13).

Each role logs in and follows every same-site link on every page it reaches, breadth first, and fails on any
404 or 5xx. The crawl is bounded: it never logs out, never posts, stays on this host, skips static files and
the admin, follows at most QUERY_VARIANTS addresses per path (filters and pages multiply them), and stops at
MAX_PAGES. What it reached is printed, so a run says how many pages each role saw.

The same pages, rendered in Norwegian, must hold no English: see test_norwegian_ui_has_no_english_strings.
"""

import re
from collections import defaultdict, deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models

pytestmark = pytest.mark.django_db

MAX_PAGES = 400
QUERY_VARIANTS = 3
SKIP_PREFIXES = ("/logg-ut/", "/admin/", "/static/", "/media/", "/språk/", "/spr%C3%A5k/")
# Demo accounts (krem/management/commands/load_demo.py) by role.
ROLES = {"coordinator": "koordinator", "member": "nav-ansatt", "participant": "deltaker"}


class Page(HTMLParser):
    """The links of a page and its visible text nodes (outside script, style and other languages' elements)."""

    HIDDEN = {"script", "style", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.texts, self.stack = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("placeholder", "aria-label", "title", "alt"):
            if attrs.get(name) and not self.foreign():
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, attrs.get("lang")))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def foreign(self):
        return any(tag in self.HIDDEN or (lang and not lang.startswith("nb")) for tag, lang in self.stack)

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.foreign():
            self.texts.append(text)


def parse(html):
    page = Page()
    page.feed(html)
    return page


def load_demo():
    call_command("load_demo", stdout=StringIO())


def crawl(client, start="/"):
    """Breadth-first over same-site links. Returns (pages: {url: html}, failures: [(url, status, found on)])."""
    queue, seen, pages, failures = deque([(start, None)]), {start}, {}, []
    variants = defaultdict(int)
    fetched = 0
    while queue and fetched < MAX_PAGES:
        url, referrer = queue.popleft()
        response = client.get(url)
        fetched += 1
        if response.status_code == 404 or response.status_code >= 500:
            failures.append((url, response.status_code, referrer))
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            targets = [response["Location"]]
        elif "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            pages[url] = html
            targets = parse(html).links
        else:
            continue
        for href in targets:
            target = internal(urljoin(url, href))
            if target is None or target in seen:
                continue
            path = urlsplit(target).path
            if urlsplit(target).query:
                if variants[path] >= QUERY_VARIANTS:
                    continue
                variants[path] += 1
            seen.add(target)
            queue.append((target, url))
    return pages, failures, fetched


def internal(url):
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def demo(db):
    load_demo()
    return get_user_model().objects


@pytest.mark.parametrize("role", list(ROLES))
def test_every_link_a_role_can_follow_leads_to_a_page(client, demo, role, capsys):
    client.force_login(demo.get(username=ROLES[role]))
    pages, failures, fetched = crawl(client)
    with capsys.disabled():
        print(f"\ncrawl {role}: {fetched} addresses fetched, {len(pages)} HTML pages")
    assert fetched > 20
    assert failures == [], "\n".join(f"{status} {url} (linked from {ref})" for url, status, ref in failures)


# Visible text that is the same in both languages by nature: names of languages, acronyms, units, file kinds.
ALLOWED = {
    "KREM",
    "English",
    "Norsk",
    "NAV",
    "PDF",
    "JSON",
    "CSV",
    "ICS",
    "Excel",
    "iCal",
    "OK",
    "E-post",
    "ID",
    "URL",
    "Designsystemet",
    "htmx",
    "nb",
    "en",
    "Admin",
    "Status",
}
NUMBERISH = re.compile(r"^[\W\d_]*$")


def data_strings():
    """Every text value in the database (titles, names, notes): the same in both languages, never a UI string."""
    values = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        if not fields or model._meta.app_label in ("sessions", "admin", "axes", "contenttypes"):
            continue
        for row in model._base_manager.values_list(*fields):
            values.update(" ".join(str(v).split()) for v in row if v)
    return values


# Words of English that Norwegian never uses: a text half translated ("Tittel (descending)") differs between the
# two renderings, so the comparison alone would miss it.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|please|descending|ascending|your|you|with|this|select|show|hide|which|add|delete|save|cancel|"
    r"edit|change|search|filter|filters|attempts?|counts|typing|correct|error|below)\b",
    re.IGNORECASE,
)


def is_data(text, data):
    return text in data or any(text in value for value in data if len(value) >= len(text))


def english_suspects(nb_texts, en_texts, data):
    """Texts of the Norwegian page that are English: the same in the English rendering, or with English words,
    and not data (anything stored in the database), numbers, or names on the allow-list."""
    suspects = set()
    same = set(en_texts)
    for text in set(nb_texts):
        if text in ALLOWED or NUMBERISH.match(text) or len(text) < 3 or not re.search(r"[A-Za-z]{3}", text):
            continue
        if (text in same or ENGLISH_WORDS.search(text)) and not is_data(text, data):
            suspects.add(text)
    return suspects


def test_the_detector_finds_what_it_should():
    data = {"Tenk Om-konferansen", "NAV Drammen"}
    nb = ["Prosjekter", "Tittel (descending)", "Tenk Om-konferansen", "Show counts", "2012", "Ukjent tekst"]
    en = ["Projects", "Title (descending)", "Tenk Om-konferansen", "Show counts", "2012", "Ukjent tekst"]
    assert english_suspects(nb, en, data) == {"Tittel (descending)", "Show counts", "Ukjent tekst"}


@pytest.mark.parametrize("role", list(ROLES))
def test_norwegian_ui_has_no_english_strings(client, demo, role, capsys):
    """Render every crawled page in Norwegian and in English; a visible text the same in both is untranslated,
    unless it is data (anything stored in the database), a number or date, or on the short allow-list."""
    client.force_login(demo.get(username=ROLES[role]))
    pages, _failures, _fetched = crawl(client)
    data = data_strings()
    found = defaultdict(set)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url, html in pages.items():
        english = client.get(url)
        if english.status_code != 200:
            continue
        for text in english_suspects(parse(html).texts, parse(english.content.decode()).texts, data):
            found[text].add(url)
    with capsys.disabled():
        print(f"\nenglish {role}: {len(found)} untranslated strings on {len(pages)} pages")
    assert not found, "\n".join(f"{text!r} on {sorted(urls)[:3]}" for text, urls in sorted(found.items()))
