"""Documents as files: what may be uploaded, where it goes, who may download it, and that purging removes it."""

import io
import zipfile

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dialogues.models import DialogueFile
from krem.services import purge_deleted
from kremlib.files import FileUploadForm
from kremlib.softdelete import RESTORE_DAYS
from projects.models import ProjectFile
from tests.factories import (
    PDF_BYTES,
    CoordinatorFactory,
    DialogueFileFactory,
    HeldDialogueFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    ProjectFileFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def world():
    project = ProjectFactory(slug="filprosjekt")
    partner = OrganisationFactory()
    PartnershipFactory(project=project, organisation=partner)
    other = ProjectFactory(slug="annet")
    outsider_org = OrganisationFactory()
    PartnershipFactory(project=other, organisation=outsider_org)
    return {
        "project": project,
        "held": HeldDialogueFactory(project=project),
        "coordinator": CoordinatorFactory(),
        "member": member_of(partner),
        "outsider": member_of(outsider_org),
    }


def upload(client, world, name, content, title=""):
    url = reverse("projects:file_upload", args=[world["project"].slug])
    return client.post(url, {"title": title, "file": SimpleUploadedFile(name, content)})


def stored_count():
    storage = storages["private"]
    try:
        folders, _files = storage.listdir("projects")
    except FileNotFoundError:
        return 0
    count = 0
    stack = [f"projects/{f}" for f in folders]
    while stack:
        folder = stack.pop()
        sub, files = storage.listdir(folder)
        count += len(files)
        stack += [f"{folder}/{s}" for s in sub]
    return count


def test_coordinator_uploads_a_pdf_and_a_member_downloads_it_as_an_attachment(client, world):
    client.force_login(world["coordinator"])
    response = upload(client, world, "Sluttrapport 2012.pdf", PDF_BYTES, title="Sluttrapport")
    assert response.status_code == 302
    stored = ProjectFile.objects.get()
    assert (stored.name, stored.title, stored.content_type, stored.size) == (
        "Sluttrapport 2012.pdf",
        "Sluttrapport",
        "application/pdf",
        len(PDF_BYTES),
    )
    # The stored name is ours, not the user's.
    assert "Sluttrapport" not in stored.file.name and stored.file.name.startswith("projects/")

    client.force_login(world["member"])
    page = client.get(world["project"].get_absolute_url())
    assert stored.get_absolute_url() in page.content.decode()
    download = client.get(stored.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Disposition"].startswith("attachment;")
    assert "Sluttrapport 2012.pdf" in download["Content-Disposition"]
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert "no-store" in download["Cache-Control"]


@pytest.mark.parametrize(
    "name, content",
    [("bilde.png", PNG_BYTES), ("avtale.docx", docx_bytes())],
)
def test_images_and_office_documents_are_accepted_by_their_content(client, world, name, content):
    client.force_login(world["coordinator"])
    assert upload(client, world, name, content).status_code == 302
    assert ProjectFile.objects.get().name == name


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("rapport.pdf", b"#!/bin/sh\nrm -rf /\n", "ikke en PDF, et Office-dokument eller et bilde"),
        ("rapport.pdf", b"<script>alert(1)</script>", "ikke en PDF, et Office-dokument eller et bilde"),
        ("tom.pdf", b"", "Filen er tom"),
    ],
)
def test_a_refused_file_gets_a_clear_message_and_saves_nothing(client, world, name, content, message):
    client.force_login(world["coordinator"])
    response = upload(client, world, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ProjectFile.objects.count() == 0
    assert stored_count() == 0


@override_settings(FILE_UPLOAD_MAX_BYTES=1000)
def test_a_file_over_the_limit_gets_a_clear_message_and_saves_nothing(client, world):
    client.force_login(world["coordinator"])
    response = upload(client, world, "stor.pdf", PDF_BYTES + b"0" * 2000)
    assert response.status_code == 400
    assert "du kan laste opp høyst 1000" in response.content.decode().replace("\xa0", " ")
    assert ProjectFile.objects.count() == 0
    assert stored_count() == 0


class RawName(SimpleUploadedFile):
    """An upload whose name is kept exactly as given: Django's own parser already takes the last part of a path
    and drops control characters, so the form's check is the second line; this tests that line."""

    def _set_name(self, name):
        self._name = name

    name = property(lambda self: self._name, _set_name)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "mappe/rapport.pdf",
        "..\\..\\rapport.pdf",
        "rapport\x00.pdf",
        "rap\nport.pdf",
        "rapport\u202egnp.pdf",
        ".htaccess",
    ],
)
def test_a_name_with_path_separators_or_control_characters_is_refused_with_a_clear_message(name):
    form = FileUploadForm(data={"title": ""}, files={"file": RawName(name, PDF_BYTES)})
    assert not form.is_valid()
    assert "file name" in form.errors["file"][0].lower() or "filnavn" in form.errors["file"][0].lower()


def test_a_path_sent_by_a_browser_never_reaches_the_storage_or_the_header(client, world):
    """Django's parser keeps only the last part of a path; the stored name is ours whatever was sent."""
    client.force_login(world["coordinator"])
    boundary = "grense"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../x/evil.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF_BYTES
        + f"\r\n--{boundary}--\r\n".encode()
    )
    url = reverse("projects:file_upload", args=[world["project"].slug])
    response = client.generic("POST", url, body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    stored = ProjectFile.objects.get()
    assert stored.name == "evil.pdf"
    assert ".." not in stored.file.name


def test_an_outsider_gets_404_for_a_file_id_and_so_does_a_file_of_another_project(client, world):
    stored = ProjectFileFactory(project=world["project"])
    client.force_login(world["outsider"])
    assert client.get(stored.get_absolute_url()).status_code == 404
    client.force_login(world["member"])
    other = ProjectFileFactory(project=ProjectFactory(slug="tredje"))
    url = reverse("projects:file_download", args=[world["project"].slug, other.pk])
    assert client.get(url).status_code == 404


def test_a_dialogue_file_follows_the_dialogue_page(client, world):
    stored = DialogueFileFactory(dialogue=world["held"])
    client.force_login(world["outsider"])
    assert client.get(stored.get_absolute_url()).status_code == 404
    client.force_login(world["member"])
    assert client.get(stored.get_absolute_url()).status_code == 200
    assert stored.get_absolute_url() in client.get(world["held"].get_absolute_url()).content.decode()


def test_a_member_may_not_upload_to_a_project_page_they_only_read(client, world):
    client.force_login(world["member"])
    assert upload(client, world, "r.pdf", PDF_BYTES).status_code == 403
    assert ProjectFile.objects.count() == 0


def test_files_are_at_no_public_address(settings):
    stored = ProjectFileFactory()
    with pytest.raises(NotImplementedError):
        stored.file.url  # noqa: B018
    assert str(settings.PRIVATE_FILES_ROOT) not in {str(settings.STATIC_ROOT), *map(str, settings.STATICFILES_DIRS)}


def test_deleting_a_file_removes_it_from_the_storage(client, world, django_capture_on_commit_callbacks):
    stored = ProjectFileFactory(project=world["project"])
    name = stored.file.name
    client.force_login(world["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(stored.delete_url)
    assert response.status_code == 302
    assert not ProjectFile.objects.exists()
    assert not storages["private"].exists(name)


def test_a_deleted_project_keeps_its_files_until_it_is_purged(world, django_capture_on_commit_callbacks):
    project_file = ProjectFileFactory(project=world["project"])
    dialogue_file = DialogueFileFactory(dialogue=world["held"])
    names = [project_file.file.name, dialogue_file.file.name]
    world["project"].deleted_at = timezone.now()
    world["project"].save()
    with django_capture_on_commit_callbacks(execute=True):
        purge_deleted()  # not expired yet
    assert all(storages["private"].exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        purge_deleted(now=timezone.now() + timezone.timedelta(days=RESTORE_DAYS + 1))
    assert not ProjectFile.objects.exists() and not DialogueFile.objects.exists()
    assert not any(storages["private"].exists(name) for name in names)
