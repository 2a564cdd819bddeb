"""Documents as files: uploaded to a project or a gathering, kept private, served only through a view that checks
the same permission as the page the file belongs to.

Files live in the storage STORAGES["private"] (a folder outside every public address by default, any
django-storages backend by settings; README, "Files"). The name a file has in storage is made here (a random
name in a folder per month), never taken from the upload: the name the user gave is kept in the row, checked,
and only ever used in the Content-Disposition header of a download.
"""

import unicodedata
import uuid

import filetype
from django import forms
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import models, transaction
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What may be uploaded, by the type read from the file's first bytes (filetype), never by its name.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}
MAX_NAME_LENGTH = 200
# Bytes filetype needs to recognise every type above (the Office formats look past the zip header).
SNIFF_BYTES = 8192


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder with no address: asking for a file's URL is a programming error, as no server serves the folder."""

    def url(self, name):
        raise NotImplementedError("Private files have no public address; link to their download view.")


def private_storage():
    return storages["private"]


def storage_name(instance, filename):
    """A random name: nothing the user typed reaches the storage's paths."""
    return f"{instance.storage_folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ALLOWED_TYPES[instance.content_type]}"


class StoredFile(models.Model):
    """One uploaded file. Subclasses add the foreign key to what it belongs to, and `storage_folder`."""

    title = models.CharField(_("title"), max_length=300, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=storage_name, max_length=300)
    name = models.CharField(_("file name"), max_length=MAX_NAME_LENGTH)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    storage_folder = "files"

    class Meta:
        abstract = True
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.title or self.name

    @property
    def size_display(self):
        return filesizeformat(self.size)

    @property
    def extension(self):
        return ALLOWED_TYPES.get(self.content_type, "").upper()


def check_name(name):
    """The name the user gave, if it is safe to show and to send back in a header; else a ValidationError."""
    if not name or not name.strip():
        raise forms.ValidationError(_("The file has no name. Rename it and try again."), code="name")
    if "/" in name or "\\" in name or name.strip().startswith("."):
        raise forms.ValidationError(
            _("The file name must not contain / or \\ or begin with a dot. Rename the file and try again."),
            code="name",
        )
    if any(unicodedata.category(char)[0] == "C" for char in name):
        raise forms.ValidationError(
            _("The file name contains invisible control characters. Rename the file and try again."), code="name"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise forms.ValidationError(
            _("The file name is longer than %(max)s characters. Shorten it and try again.") % {"max": MAX_NAME_LENGTH},
            code="name",
        )
    return unicodedata.normalize("NFC", name.strip())


def sniff(upload):
    """The MIME type read from the file's content, or None."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


class FileUploadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=300, required=False, help_text=_("Optional. The file name is shown otherwise.")
    )
    file = forms.FileField(
        label=_("File"), allow_empty_file=True, error_messages={"required": _("Choose a file to upload.")}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, Office documents (Word, Excel, PowerPoint, OpenDocument) or images (PNG, JPEG, GIF, WebP), "
            "at most %(size)s."
        ) % {"size": max_size_display()}
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(f".{ext}" for ext in ALLOWED_TYPES.values()))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.cleaned_data["name"] = check_name(upload.name)
        if not upload.size:
            raise forms.ValidationError(_("The file is empty. Choose a file with content."), code="empty")
        if upload.size > settings.FILE_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(max)s may be uploaded.")
                % {"size": filesizeformat(upload.size), "max": max_size_display()},
                code="too_large",
            )
        content_type = sniff(upload)
        if content_type not in ALLOWED_TYPES:
            raise forms.ValidationError(
                _("The file is not a PDF, an Office document or an image (its content was checked, not its name)."),
                code="type",
            )
        self.cleaned_data["content_type"] = content_type
        return upload

    def save(self, instance):
        """Fill `instance` (a StoredFile with its owner set) from the upload and save it, file first."""
        data = self.cleaned_data
        instance.title = data["title"]
        instance.name = data["name"]
        instance.content_type = data["content_type"]
        instance.size = data["file"].size
        # The file is written before the row; if the request then fails, the file stays behind unreferenced
        # (harmless: no row, no download), never a row without its file.
        instance.file.save(data["name"], data["file"], save=False)
        instance.save()
        return instance


def max_size_display():
    return filesizeformat(settings.FILE_UPLOAD_MAX_BYTES)


def delete_stored(names):
    """Delete these names from the private storage once the transaction that removed their rows commits."""
    names = [name for name in names if name]
    if not names:
        return

    def remove():
        storage = private_storage()
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


def download_response(stored):
    """The file as an attachment, never shown inline by the browser, with headers that keep it inert."""
    handle = stored.file.storage.open(stored.file.name, "rb")
    response = FileResponse(handle, as_attachment=True, filename=stored.name, content_type=stored.content_type)
    # Even if a browser ignored "attachment", the file could run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def upload_page(request, *, instance, back_url, back_label):
    """The upload form (GET) and its handling (POST) for a new `instance`, a StoredFile whose owner is set.

    Returns a response, or None when saved (the caller adds its message and redirects)."""
    from django.shortcuts import render

    form = FileUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        form.save(instance)
        return None
    context = {"form": form, "back_url": back_url, "back_label": back_label, "max_size": max_size_display()}
    return render(request, "kremlib/file_form.html", context, status=400 if form.errors else 200)


def delete_file(stored):
    """Remove the row now and the stored file when the transaction commits."""
    name = stored.file.name
    stored.delete()
    delete_stored([name])
