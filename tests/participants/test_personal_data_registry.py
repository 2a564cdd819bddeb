"""The personal-data registry (participants/registry.py): what each app holds about a person, walked by merge,
export, erasure and retention instead of importing the apps."""

from django.apps import apps

from participants import registry
from participants.models import AccessLog, Consent, Invitation, MergedRecord, Participant

# What participants' services handle themselves, in participants' own models.
HANDLED_BY_PARTICIPANTS = {AccessLog, Consent, Invitation, MergedRecord}


def test_every_relation_to_a_participant_is_registered_or_handled_by_participants():
    registered = {(rows.model, rows.field) for rows in registry.ROWS}
    for relation in Participant._meta.related_objects:
        if relation.related_model in HANDLED_BY_PARTICIPANTS:
            continue
        if relation.many_to_many:
            link = (relation.through, relation.field.m2m_reverse_field_name())
        else:
            link = (relation.related_model, relation.field.name)
        assert link in registered, f"{relation} is not in participants.registry: merge would refuse, export miss it"


def test_what_is_registered_is_registered_once_even_if_an_app_registers_again():
    before = [list(entries) for entries in (registry.ROWS, registry.SHARED_TEXTS, registry.TOOK_PART)]
    apps.get_app_config("dialogues").ready()
    apps.get_app_config("participants").ready()
    assert [registry.ROWS, registry.SHARED_TEXTS, registry.TOOK_PART] == before
    apps.get_app_config("notices").ready()
    assert len(registry.ACCOUNT_ROWS) == 2  # dialogues' calendar feeds, notices' notices


def test_dialogue_texts_come_before_project_texts():
    # The erasure confirmation page lists the texts that name a person in this order.
    scopes = [texts.scope for texts in registry.SHARED_TEXTS]
    assert scopes == sorted(scopes, key=["dialogue", "project"].index)
    assert {"dialogue", "project"} == set(scopes)
