"""The participant registry (coordinators), "Min side" (everyone with a record), invitations and privacy.

Who gets what (participants/rules.py):
- The registry list and the access log are for coordinators; anyone else gets 403 (the pages exist,
  the menu simply does not show them).
- A participant's registry pages: coordinators only. Anyone else gets 404 for another person's record;
  for their own record the detail page sends them to "Min side", and the coordinator-only actions
  (edit, invite, consent, merge, anonymise) answer 403.
"""

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from kremlib.http import PAGE_SIZE, is_htmx, keyset_page, paginate
from kremlib.lookups import lookup_options
from kremlib.permissions import can, require
from kremlib.versioning import save_or_conflict
from projects.panels import BLOCK_LIMIT

from . import registry, services
from .export_page import readable
from .filters import AccessLogFilter, ParticipantFilter, registry_search
from .forms import (
    AcceptInvitationForm,
    ConsentForm,
    ExportForm,
    GiveConsentForm,
    InvitationForm,
    MergeForm,
    MyProfileForm,
    ParticipantForm,
    WithdrawConsentForm,
    registry_label,
)
from .models import AccessLog, Consent, ConsentMethod, ConsentPurpose, Participant
from .queries import (
    access_log_for_list,
    consents_for_page,
    for_registry_list,
    related_counts,
    visible_participants,
    with_attendance_counts,
)
from .services import AccessAction, AccessReason

# The access log's order, newest first; the indexes accesslog_at_id_idx and accesslog_participant_at_idx serve it.
ACCESS_LOG_ORDER = ("-at", "-pk")

# Django's own password check comes first in AUTHENTICATION_BACKENDS after axes and rules; name it for login().
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def get_participant_for_user(user, pk, perm=None):
    """Fetch and authorise in one step: 404 outside what the user may see, 403 when visible but not allowed."""
    participant = get_object_or_404(visible_participants(user).select_related("organisation", "user"), pk=pk)
    if perm:
        require(user, perm, participant)
    return participant


def own_participant(user):
    return Participant.objects.select_related("organisation", "user").filter(user=user).first()


# The registry


@require_safe
def participant_list(request):
    require(request.user, "participants.view_registry")
    participant_filter = ParticipantFilter(request.GET, queryset=for_registry_list(Participant.objects.all()))
    page = paginate(request, participant_filter.qs.order_by("display_name", "pk"))
    page.object_list = with_attendance_counts(page.object_list)
    context = {"filter": participant_filter, "page": page}
    template = (
        "participants/participant_list.html#results" if is_htmx(request) else "participants/participant_list.html"
    )
    return render(request, template, context)


@require_safe
def participant_detail(request, pk):
    participant = get_participant_for_user(request.user, pk)
    if not can(request.user, "participants.view_registry", participant):
        return redirect("participants:my_page")  # their own record: they see it on "Min side"
    services.log_access(
        actor=request.user, participant=participant, action=AccessAction.VIEW, reason=AccessReason.REGISTRY
    )
    consents = consents_for_page(participant)
    context = {
        "participant": participant,
        "contact": services.contact_details(participant, user=request.user),
        **person_blocks(request, participant),
        "consents": [(consent, WithdrawConsentForm(consent=consent, prefix=f"c{consent.pk}")) for consent in consents],
        "consent_form": ConsentForm(participant=participant),
        "invitations": participant.invitations.select_related("created_by").prefetch_related("created_by__groups"),
        "access_log": access_log_for_list(participant.access_log.all())[:PAGE_SIZE],
        "export_form": ExportForm(),
        "can_edit": can(request.user, "participants.change_participant", participant),
        "can_consent": can(request.user, "participants.add_consent", participant),
        "can_invite": can(request.user, "participants.invite_participant", participant),
        "can_merge": can(request.user, "participants.merge_participant", participant),
        "can_anonymise": can(request.user, "participants.anonymise_participant", participant),
        "now": timezone.now(),
    }
    return render(request, "participants/participant_detail.html", context)


@dataclass
class Block:
    """A block of the registry page: its rows, the count of all, and the page of them when shown in full."""

    rows: list
    total: int
    page: object = None  # shown in full (?alle=<section>): the page of them, ?side=


# The registry page's blocks of what the person took part in: section (as on "Min side"; ?alle=<section> shows the
# block in full, in pages), the relation, what its rows show, their order. The rest of the page (consents, which
# must all be seen; invitations; the latest access log entries, with a link to the log) is short.
PERSON_BLOCKS = [
    (
        "attended",
        "attendances",
        ("dialogue__project",),
        (F("dialogue__starts_at").desc(nulls_last=True), "-pk"),
    ),
    ("insights", "insights", ("dialogue",), ("-created_at", "-pk")),
    ("feedback", "feedback", ("dialogue",), ("-pk",)),
    ("comments", "outcome_comments", ("outcome__dialogue",), ("-created_at", "-pk")),
    ("actions", "follow_up_actions", ("dialogue",), ("-pk",)),
]


def person_blocks(request, participant):
    """Each block bounded to BLOCK_LIMIT rows, newest first, with the count of all (one query for the five
    counts): someone in 900 gatherings still has a page of a few kilobytes. The one asked for in full comes in
    pages."""
    in_full = request.GET.get("alle")
    counts = related_counts(participant, [relation for _section, relation, _related, _order in PERSON_BLOCKS])
    blocks = {}
    for section, relation, related, order in PERSON_BLOCKS:
        rows = getattr(participant, relation).select_related(*related).order_by(*order)
        if section == in_full:
            page = paginate(request, rows)
            blocks[section] = Block(page.object_list, counts[relation], page)
        else:
            blocks[section] = Block(list(rows[:BLOCK_LIMIT]), counts[relation])
    return blocks


def participant_create(request):
    require(request.user, "participants.add_participant")
    return participant_form(request, Participant())


def participant_edit(request, pk):
    participant = get_participant_for_user(request.user, pk, "participants.change_participant")
    return participant_form(request, participant)


def participant_form(request, participant):
    form = ParticipantForm(request.POST if request.method == "POST" else None, instance=participant)
    if request.method == "POST" and form.is_valid() and (saved := save_or_conflict(form.save)):
        messages.success(request, _("“%(name)s” was saved.") % {"name": saved.display_name})
        return redirect("participants:participant_detail", pk=saved.pk)
    return render(request, "participants/participant_form.html", {"form": form, "participant": participant})


@require_POST
def consent_add(request, pk):
    participant = get_participant_for_user(request.user, pk, "participants.add_consent")
    form = ConsentForm(request.POST, participant=participant)
    if form.is_valid():
        try:
            consent = services.record_consent(
                participant=participant,
                purpose=form.cleaned_data["purpose"],
                recorded_by=request.user,
                given_at=form.given_at(),
                method=form.cleaned_data["method"],
            )
        except services.ConsentAlreadyActive:
            messages.error(request, _("There is already an active consent for this purpose."))
        else:
            messages.success(request, _("Consent recorded: %(purpose)s.") % {"purpose": consent.get_purpose_display()})
    else:
        messages.error(request, _("The consent was not recorded: %(errors)s") % {"errors": errors_as_text(form)})
    return redirect(reverse("participants:participant_detail", args=[participant.pk]) + "#consents")


def errors_as_text(form):
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@require_POST
def consent_withdraw(request, consent_pk):
    """Withdraw in one step, by the person themself or a coordinator. Quoting or contact stops at once."""
    consent = get_object_or_404(
        Consent.objects.filter(participant__in=visible_participants(request.user)).select_related("participant"),
        pk=consent_pk,
    )
    require(request.user, "participants.withdraw_consent", consent)
    own = consent.participant.user_id == request.user.pk
    form = WithdrawConsentForm(request.POST, consent=consent, prefix=f"c{consent.pk}")
    if not form.is_valid():
        messages.error(request, _("The consent was not withdrawn: %(errors)s") % {"errors": errors_as_text(form)})
    elif consent.withdrawn_at is not None:
        messages.info(request, _("This consent was already withdrawn."))
    else:
        services.withdraw_consent(consent=consent, by=request.user, at=form.withdrawn_at())
        messages.success(request, _("Consent withdrawn: %(purpose)s.") % {"purpose": consent.get_purpose_display()})
    if own and not can(request.user, "participants.view_registry", consent.participant):
        return redirect(reverse("participants:my_page") + "#consents")
    return redirect(reverse("participants:participant_detail", args=[consent.participant_id]) + "#consents")


def participant_invite(request, pk):
    participant = get_participant_for_user(request.user, pk, "participants.invite_participant")
    form = InvitationForm(request.POST or None, initial={"email": participant.email})
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                participant=participant, email=form.cleaned_data["email"], invited_by=request.user, request=request
            )
        except services.InvitationRefused as refusal:
            form.add_error("email", str(refusal))
        except (OSError, smtplib.SMTPException):
            messages.error(request, _("The email could not be sent, so no invitation was made. Try again later."))
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s. The link works once, for 7 days.")
                % {"email": invitation.email},
            )
            return redirect(reverse("participants:participant_detail", args=[participant.pk]) + "#invitations")
    context = {
        "form": form,
        "participant": participant,
        "may_contact": services.has_consent(participant, ConsentPurpose.CONTACT),
    }
    return render(request, "participants/participant_invite.html", context)


@require_safe
def participant_export(request, pk):
    participant = get_participant_for_user(request.user, pk, "participants.export_participant")
    form = ExportForm(request.GET)
    reason = (form.cleaned_data["reason"] if form.is_valid() else "").strip() or AccessReason.ACCESS_REQUEST
    return export_response(request, participant, reason)


def export_response(request, participant, reason):
    """The person's data as a JSON download; every export is written in the access log."""
    services.log_access(actor=request.user, participant=participant, action=AccessAction.EXPORT, reason=reason)
    response = JsonResponse(
        services.export_data(participant, reader=request.user),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    filename = f"krem-data-{participant.pk}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def participant_merge(request, pk):
    """Choose the duplicate (GET), read what will move (GET with ?duplicate=), merge (POST)."""
    keep = get_participant_for_user(request.user, pk, "participants.merge_participant")
    data = request.POST if request.method == "POST" else (request.GET if "duplicate" in request.GET else None)
    form = MergeForm(data, keep=keep)
    if data is not None and form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        if request.method == "POST":
            try:
                services.merge(keep=keep, duplicate=duplicate, by=request.user)
            except services.MergeRefused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(
                    request,
                    _("“%(duplicate)s” was merged into “%(keep)s”.")
                    % {"duplicate": duplicate.display_name, "keep": keep.display_name},
                )
                return redirect("participants:participant_detail", pk=keep.pk)
        return render(
            request,
            "participants/participant_merge_confirm.html",
            {
                "keep": keep,
                "duplicate": duplicate,
                "moves": merge_summary(duplicate),
                "both_users": keep.user_id and duplicate.user_id,
            },
        )
    return render(request, "participants/participant_merge.html", {"form": form, "participant": keep})


def merge_summary(duplicate):
    """What the merge would move, for the confirmation page."""
    return [
        (_("Attendances"), duplicate.attendances.count()),
        (_("Insights"), duplicate.insights.count()),
        (_("Feedback"), duplicate.feedback.count()),
        (_("Comments on outcomes"), duplicate.outcome_comments.count()),
        (_("Follow-up actions"), duplicate.follow_up_actions.count()),
        (_("Consents"), duplicate.consents.count()),
        (_("Invitations"), duplicate.invitations.count()),
        (_("Access log entries"), duplicate.access_log.count()),
    ]


@require_http_methods(["GET", "HEAD", "POST"])
def participant_anonymise(request, pk):
    participant = get_participant_for_user(request.user, pk, "participants.anonymise_participant")
    if request.method == "POST":
        services.anonymise(participant=participant, by=request.user)
        messages.success(request, _("The participant was anonymised. Counts and insights remain, without the person."))
        return redirect("participants:participant_detail", pk=participant.pk)
    context = {"participant": participant, "texts": services.texts_naming(participant)}
    return render(request, "participants/participant_anonymise.html", context)


@require_safe
def access_log(request):
    require(request.user, "participants.view_accesslog")
    log_filter = AccessLogFilter(request.GET, queryset=access_log_for_list(AccessLog.objects.all()))
    # A row for every person shown, for ever: from a cursor, newest first, without counting them all.
    page = keyset_page(request, log_filter.qs, ordering=ACCESS_LOG_ORDER)
    context = {"filter": log_filter, "page": page}
    template = "participants/access_log.html#results" if is_htmx(request) else "participants/access_log.html"
    return render(request, template, context)


# The person's own page


def my_page(request):
    """Everything about the logged-in person: profile, consents, invitations, who looked at their data."""
    participant = own_participant(request.user)
    if participant is None:
        return render(request, "participants/my_page_none.html")
    form = MyProfileForm(request.POST if request.method == "POST" else None, instance=participant, prefix="profile")
    # On a conflict (a coordinator's edit meanwhile) the form shows what changed.
    if request.method == "POST" and form.is_valid() and save_or_conflict(form.save):
        messages.success(request, _("Your profile was saved."))
        return redirect("participants:my_page")
    consents = consents_for_page(participant)
    context = {
        "participant": participant,
        "form": form,
        "own_parts": own_parts(participant, request.user, request.GET.get("alle")),
        "give_consent_form": GiveConsentForm(participant=participant, prefix="give"),
        "consents": [(consent, WithdrawConsentForm(consent=consent, prefix=f"c{consent.pk}")) for consent in consents],
        "invitations": participant.invitations.select_related("created_by").prefetch_related("created_by__groups"),
        "page": keyset_page(request, access_log_for_list(participant.access_log.all()), ordering=ACCESS_LOG_ORDER),
        "now": timezone.now(),
    }
    return render(request, "participants/my_page.html", context)


# Min side lists this many of each kind of contribution, with "See all" where there are more.
OWN_PART_LIMIT = 5


@dataclass
class OwnPartShown:
    part: registry.OwnPart
    items: list
    more: bool  # there are more than shown: offer "See all"
    all_shown: bool  # every item is shown on request: offer "Show fewer"


def own_parts(participant, user, section_shown_in_full):
    """What the person took part in, each kind bounded to OWN_PART_LIMIT except the one asked for in full."""
    shown = []
    for part in registry.OWN_PARTS:
        if part.section == section_shown_in_full:
            shown.append(OwnPartShown(part, part.items(participant, user, None), more=False, all_shown=True))
            continue
        items = part.items(participant, user, OWN_PART_LIMIT + 1)
        shown.append(OwnPartShown(part, items[:OWN_PART_LIMIT], more=len(items) > OWN_PART_LIMIT, all_shown=False))
    return shown


@require_POST
def my_consent_give(request):
    """The person gives a consent themself, recorded as given by them, now."""
    participant = own_participant(request.user)
    if participant is None:
        raise Http404
    require(request.user, "participants.give_own_consent", participant)
    form = GiveConsentForm(request.POST, participant=participant, prefix="give")
    if form.is_valid():
        try:
            consent = services.record_consent(
                participant=participant,
                purpose=form.cleaned_data["purpose"],
                recorded_by=request.user,
                method=ConsentMethod.DIGITAL,
            )
        except services.ConsentAlreadyActive:
            messages.info(request, _("You have already given this consent."))
        else:
            messages.success(request, _("Consent given: %(purpose)s.") % {"purpose": consent.get_purpose_display()})
    else:
        messages.error(request, _("No consent was given: %(errors)s") % {"errors": errors_as_text(form)})
    return redirect(reverse("participants:my_page") + "#consents")


@require_safe
def my_export(request):
    participant = own_participant(request.user)
    if participant is None:
        return redirect("participants:my_page")
    return export_response(request, participant, AccessReason.OWN_REQUEST)


@require_safe
def my_data(request):
    """Everything held about the person, as a page to read, with the JSON download beside it; logged as an export."""
    participant = own_participant(request.user)
    if participant is None:
        return render(request, "participants/my_page_none.html")
    services.log_access(
        actor=request.user, participant=participant, action=AccessAction.EXPORT, reason=AccessReason.OWN_REQUEST
    )
    data = services.export_data(participant, reader=request.user)
    context = {"participant": participant, "exported_at": data["exported_at"], "sections": readable(data)}
    return render(request, "participants/my_data.html", context)


# Public pages: the invitation link and the terms


def link_no_longer_works(invitation):
    participant = invitation.participant
    return not invitation.is_usable or participant.user_id is not None or participant.anonymised_at is not None


@login_not_required
def accept_invitation(request, token):
    """Set a password, accept the terms, get an account, and be logged in. A used, expired or unknown
    link shows a page saying so (410 or 404) and changes nothing."""
    invitation = services.find_invitation(token)
    if invitation is None:
        return render(request, "participants/invitation_invalid.html", {"unknown": True}, status=404)
    if link_no_longer_works(invitation):
        return render(request, "participants/invitation_invalid.html", {"invitation": invitation}, status=410)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(token=token, password=form.cleaned_data["password1"])
        except services.InvitationRefused as refusal:
            # Used since the page was checked above (the same form sent twice at once): say so as for any used link.
            invitation = services.find_invitation(token)
            if link_no_longer_works(invitation):
                return render(request, "participants/invitation_invalid.html", {"invitation": invitation}, status=410)
            form.add_error(None, str(refusal))
        else:
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(request, _("Welcome! Your account is ready, and you are logged in."))
            return redirect("participants:my_page")
    return render(request, "participants/invitation_accept.html", {"form": form, "invitation": invitation})


@login_not_required
@require_safe
def terms(request):
    context = {
        "retention_months": settings.KREM_RETENTION_MONTHS,
        "idle_minutes": settings.KREM_SESSION_IDLE_MINUTES,
        "max_hours": settings.KREM_SESSION_MAX_HOURS,
    }
    return render(request, "participants/terms.html", context)


# Lookups: the options a BoundedSelect's search swaps in (kremlib/widgets.py)


@require_safe
def participant_lookup(request):
    """Participants, for those who may read the registry only (403 otherwise, as the registry), labelled as the
    registry's merge form tells them apart. By name, email or phone, as the registry's search. Anonymised records
    are left out: no form chooses one (the merge form refuses them)."""
    require(request.user, "participants.view_registry")
    participants = (
        Participant.objects.filter(anonymised_at__isnull=True)
        .select_related("organisation")
        .order_by("display_name", "pk")
    )
    return lookup_options(request, participants, search=registry_search, label=registry_label)
