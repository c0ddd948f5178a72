"""Writes for charters: creating, editing drafts, opening consultations, adopting, revising and withdrawing.

Every function is one transaction with its audit event. A version's content changes only while it is a draft
(`_require_draft`); the database refuses changes to adopted versions too (migration 0002, PostgreSQL).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from accounts.audit import audit_record, diff
from accounts.models import Authority, User
from accounts.scoping import dangerously_unscoped
from foundation.errors import DomainError

from .errors import TransitionRefused, VersionFrozen
from .models import (
    Charter,
    CharterMeasure,
    CharterVersion,
    CommentStatus,
    Consultation,
    LocalMeasure,
    Measure,
    Outcome,
    PriorityPlace,
    Theme,
    VersionStatus,
)
from .signals import version_adopted
from .templates_svm import template_themes

HUNDRED = Decimal("100")
MEASURE_FIELDS = (
    "code",
    "title",
    "description",
    "unit",
    "proxy_value_gbp",
    "proxy_source",
    "proxy_year",
    "deadweight_pct",
    "attribution_pct",
    "displacement_pct",
    "dropoff_pct",
)
CHARTER_MEASURE_FIELDS = (*MEASURE_FIELDS, "evidence_required", "reporting_frequency", "min_contract_value")


def _require_draft(version: CharterVersion) -> None:
    if version.status == VersionStatus.DRAFT:
        return
    if version.status in (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED):
        raise VersionFrozen(
            f"Version {version.number} is {version.get_status_display().lower()} and cannot be changed. "
            "Start a revision to change the charter."
        )
    if version.status == VersionStatus.CONSULTATION:
        raise VersionFrozen(
            f"Version {version.number} is out for consultation, so people can comment on what they read. "
            "Answer the comments and adopt it, then revise it."
        )
    raise VersionFrozen(f"Version {version.number} has been withdrawn and cannot be changed.")


def _locked(version: CharterVersion) -> CharterVersion:
    """Re-reads the version under a row lock, so a concurrent adoption cannot slip between check and write."""
    return CharterVersion.objects.select_for_update().get(pk=version.pk)


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def weights_total(version: CharterVersion) -> Decimal:
    return Theme.objects.filter(version=version).aggregate(total=Sum("weight"))["total"] or Decimal("0")


# Charters and versions --------------------------------------------------------------------------------------


def charter_create(
    *,
    authority: Authority,
    acting_user: User,
    title: str,
    start: str = Charter.Origin.BLANK,
    source_version_id: int | None = None,
) -> Charter:
    """A new charter with a first draft: blank, from the Social Value Model, or copied from an adopted charter."""
    start = Charter.Origin(start)
    source = None
    if start == Charter.Origin.COPY:
        source = adopted_version_for_copy(source_version_id)
    with transaction.atomic():
        charter = Charter.objects.create(authority=authority, title=title.strip(), origin=start, created_by=acting_user)
        version = CharterVersion.objects.create(
            authority=authority, charter=charter, number=1, title=charter.title, created_by=acting_user
        )
        if start == Charter.Origin.TEMPLATE:
            _fill_from_template(version)
        elif source is not None:
            with dangerously_unscoped():  # reading another authority's *adopted*, public, charter
                _copy_content(source, version, keep_lineage=False)
                version.vision = source.vision
                version.local_context = source.local_context
                version.save(update_fields=["vision", "local_context"])
                charter.copied_from_version_id = source.pk
                charter.origin_note = (
                    f"Copied from {source.authority.name}'s charter “{source.title}”, version {source.number}, "
                    f"adopted {timezone.localtime(source.adopted_at):%-d %B %Y}."
                )
            charter.save(update_fields=["copied_from_version_id", "origin_note"])
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="charter.created",
            obj=charter,
            changes={"origin": start.value, "origin_note": charter.origin_note},
        )
    return charter


def adopted_version_for_copy(version_id) -> CharterVersion:
    with dangerously_unscoped():
        source = (
            CharterVersion.objects.filter(pk=version_id, status=VersionStatus.ADOPTED)
            .select_related("authority")
            .first()
        )
    if source is None:
        raise DomainError("Choose an adopted charter to copy", field="source_version")
    return source


def _fill_from_template(version: CharterVersion) -> None:
    themes = template_themes()
    # Equal weights that total exactly 100: the remainder goes to the first themes.
    base, extra = divmod(100, len(themes))
    for index, spec in enumerate(themes, start=1):
        theme = Theme.objects.create(
            authority=version.authority,
            version=version,
            position=index,
            title=spec["title"],
            description=spec["description"],
            weight=Decimal(base + (1 if index <= extra else 0)),
        )
        for number, outcome in enumerate(spec["outcomes"], start=1):
            Outcome.objects.create(
                authority=version.authority,
                version=version,
                theme=theme,
                position=number,
                title=outcome["title"],
                description=outcome["description"],
            )


def _copy_content(source: CharterVersion, target: CharterVersion, *, keep_lineage: bool) -> None:
    """Copies places, themes, outcomes and measures. `keep_lineage` links each copy to its original (same
    authority only: a copy across authorities keeps its provenance in words, never a cross-tenant link)."""
    authority = target.authority
    for place in source.places.all():
        PriorityPlace.objects.create(
            authority=authority, version=target, position=place.position, name=place.name, needs=place.needs
        )
    outcome_map = {}
    for theme in source.themes.all():
        new_theme = Theme.objects.create(
            authority=authority,
            version=target,
            position=theme.position,
            title=theme.title,
            description=theme.description,
            weight=theme.weight,
            copied_from=theme if keep_lineage else None,
        )
        for outcome in theme.outcomes.all():
            outcome_map[outcome.pk] = Outcome.objects.create(
                authority=authority,
                version=target,
                theme=new_theme,
                position=outcome.position,
                title=outcome.title,
                description=outcome.description,
                copied_from=outcome if keep_lineage else None,
            )
    for measure in source.measures.all():
        values = {field: getattr(measure, field) for field in CHARTER_MEASURE_FIELDS}
        CharterMeasure.objects.create(
            authority=authority,
            version=target,
            outcome=outcome_map[measure.outcome_id],
            position=measure.position,
            library_measure_id=measure.library_measure_id,
            local_measure_id=measure.local_measure_id if keep_lineage else None,
            copied_from=measure if keep_lineage else None,
            **values,
        )


def version_details_update(
    *, version: CharterVersion, acting_user: User, title: str, vision: str, local_context: str
) -> CharterVersion:
    with transaction.atomic():
        version = _locked(version)
        _require_draft(version)
        before = {"title": version.title, "vision": version.vision, "local_context": version.local_context}
        version.title, version.vision, version.local_context = title.strip(), vision.strip(), local_context.strip()
        after = {"title": version.title, "vision": version.vision, "local_context": version.local_context}
        changes = diff(before, after)
        if changes:
            version.save(update_fields=["title", "vision", "local_context"])
            audit_record(
                authority=version.authority,
                actor=acting_user,
                verb="charter_version.edited",
                obj=version,
                changes=changes,
            )
    return version


def version_revise(*, charter: Charter, acting_user: User) -> CharterVersion:
    """Starts a new draft, copied from the adopted version. Only one draft or consultation at a time."""
    with transaction.atomic():
        adopted = charter.versions.select_for_update().filter(status=VersionStatus.ADOPTED).first()
        if adopted is None:
            raise TransitionRefused("Only an adopted charter can be revised.")
        if charter.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.CONSULTATION]).exists():
            raise TransitionRefused("This charter already has a version in progress. Finish or withdraw it first.")
        number = (charter.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        draft = CharterVersion.objects.create(
            authority=charter.authority,
            charter=charter,
            number=number,
            title=adopted.title,
            vision=adopted.vision,
            local_context=adopted.local_context,
            based_on=adopted,
            created_by=acting_user,
        )
        _copy_content(adopted, draft, keep_lineage=True)
        audit_record(
            authority=charter.authority,
            actor=acting_user,
            verb="charter_version.revision_started",
            obj=draft,
            changes={"based_on": adopted.number},
        )
    return draft


def version_withdraw(*, version: CharterVersion, acting_user: User, reason: str) -> CharterVersion:
    if not reason.strip():
        raise DomainError("Enter why the version is withdrawn", field="reason")
    with transaction.atomic():
        version = _locked(version)
        if version.status not in (VersionStatus.DRAFT, VersionStatus.CONSULTATION):
            raise TransitionRefused("Only a draft or a version in consultation can be withdrawn.")
        before = version.status
        version.status = VersionStatus.WITHDRAWN
        version.withdrawn_reason = reason.strip()
        version.save(update_fields=["status", "withdrawn_reason"])
        audit_record(
            authority=version.authority,
            actor=acting_user,
            verb="charter_version.withdrawn",
            obj=version,
            changes={"status": {"before": before, "after": version.status}, "reason": reason.strip()},
        )
    return version


# Consultation and adoption ----------------------------------------------------------------------------------


def consultation_default_close(authority: Authority, opens_on: date) -> date:
    return opens_on + timedelta(weeks=authority.consultation_weeks)


def _require_ready(version: CharterVersion) -> None:
    themes = list(version.themes.all())
    if not themes:
        raise TransitionRefused("Add at least one theme before the charter goes further.")
    total = sum((theme.weight for theme in themes), Decimal("0"))
    if total != HUNDRED:
        raise TransitionRefused(f"Theme weights must total 100%. They total {total.normalize():f}%.", field="weights")


def consultation_open(
    *,
    version: CharterVersion,
    acting_user: User,
    opens_on: date,
    closes_on: date,
    shorter_reason: str = "",
    today: date | None = None,
) -> Consultation:
    """Opens a consultation on a draft. Shorter than the authority's default (the Compact's 12 weeks) needs a
    reason, which is shown publicly."""
    today = today or timezone.localdate()
    authority = version.authority
    if opens_on < today:
        raise DomainError("The consultation must open today or later", field="opens_on")
    if closes_on <= opens_on:
        raise DomainError("The close date must be after the open date", field="closes_on")
    shorter_reason = shorter_reason.strip()
    if closes_on < consultation_default_close(authority, opens_on) and not shorter_reason:
        raise DomainError(
            f"Explain why the consultation is shorter than {authority.consultation_weeks} weeks",
            field="shorter_reason",
        )
    with transaction.atomic():
        version = _locked(version)
        _require_draft(version)
        _require_ready(version)
        consultation = Consultation.objects.create(
            authority=authority,
            version=version,
            opens_on=opens_on,
            closes_on=closes_on,
            shorter_reason=shorter_reason,
            created_by=acting_user,
        )
        version.status = VersionStatus.CONSULTATION
        version.save(update_fields=["status"])
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="consultation.opened",
            obj=consultation,
            changes={
                "opens_on": str(opens_on),
                "closes_on": str(closes_on),
                "weeks": str(consultation.length_weeks),
                "shorter_reason": shorter_reason,
            },
        )
    return consultation


def adoption_blockers(version: CharterVersion, *, today: date | None = None) -> list[str]:
    """Why the version cannot be adopted yet (empty when it can, given a reason where none was consulted on)."""
    today = today or timezone.localdate()
    consultation = Consultation.objects.filter(version=version).first()
    if consultation is None:
        return []
    blockers = []
    if today <= consultation.closes_on:
        blockers.append(f"The consultation closes on {consultation.closes_on:%-d %B %Y}. Adopt after it has closed.")
    comments = consultation.comments.all()
    held = comments.filter(status=CommentStatus.HELD).count()
    unanswered = comments.filter(status=CommentStatus.PUBLISHED, response__isnull=True).count()
    if held:
        blockers.append(f"{held} comment{'s' if held != 1 else ''} waiting for moderation.")
    if unanswered:
        blockers.append(f"{unanswered} published comment{'s have' if unanswered != 1 else ' has'} no answer yet.")
    return blockers


def version_adopt(
    *, version: CharterVersion, acting_user: User, reason: str = "", today: date | None = None
) -> CharterVersion:
    """Adopts a version: it is frozen from now on, and the previously adopted version is superseded. Needs a closed
    consultation with every published comment answered, or a recorded reason to adopt without consultation."""
    with transaction.atomic():
        version = _locked(version)
        if version.status not in (VersionStatus.DRAFT, VersionStatus.CONSULTATION):
            raise TransitionRefused(f"Version {version.number} is {version.get_status_display().lower()}.")
        _require_ready(version)
        blockers = adoption_blockers(version, today=today)
        if blockers:
            raise TransitionRefused(" ".join(blockers))
        has_consultation = Consultation.objects.filter(version=version).exists()
        if not has_consultation and not reason.strip():
            raise DomainError("Explain why this version is adopted without a consultation", field="reason")
        previous = (
            CharterVersion.objects.select_for_update()
            .filter(charter_id=version.charter_id, status=VersionStatus.ADOPTED)
            .first()
        )
        if previous is not None:
            previous.status = VersionStatus.SUPERSEDED
            previous.save(update_fields=["status"])
        version.status = VersionStatus.ADOPTED
        version.adopted_at = timezone.now()
        version.adopted_by = acting_user
        version.adoption_reason = "" if has_consultation else reason.strip()
        version.save(update_fields=["status", "adopted_at", "adopted_by", "adoption_reason"])
        audit_record(
            authority=version.authority,
            actor=acting_user,
            verb="charter_version.adopted",
            obj=version,
            changes={
                "status": {"before": "consultation" if has_consultation else "draft", "after": "adopted"},
                "superseded": previous.number if previous else None,
                "reason": version.adoption_reason,
            },
        )
        # The PDF and anything else that follows adoption happen once the adoption is committed.
        transaction.on_commit(
            lambda: version_adopted.send(sender=CharterVersion, version=version, acting_user=acting_user)
        )
    return version


# Places, themes, outcomes and measures ----------------------------------------------------------------------


def _audit_item(verb: str, item, acting_user: User, changes: dict | None = None) -> None:
    audit_record(authority=item.authority, actor=acting_user, verb=verb, obj=item, changes=changes or {})


def place_add(*, version: CharterVersion, acting_user: User, name: str, needs: str = "") -> PriorityPlace:
    with transaction.atomic():
        _require_draft(_locked(version))
        place = PriorityPlace.objects.create(
            authority=version.authority,
            version=version,
            name=name.strip(),
            needs=needs.strip(),
            position=_next_position(version.places.all()),
        )
        _audit_item("charter_place.added", place, acting_user)
    return place


def item_update(*, item, acting_user: User, **values):
    """Edits a place, theme, outcome or charter measure of a draft version."""
    with transaction.atomic():
        _require_draft(_locked(item.version))
        before = {field: getattr(item, field) for field in values}
        for field, value in values.items():
            setattr(item, field, value.strip() if isinstance(value, str) else value)
        changes = diff({k: _plain(v) for k, v in before.items()}, {k: _plain(getattr(item, k)) for k in values})
        if changes:
            item.full_clean(
                exclude=["authority", "version", "outcome", "theme", "copied_from", "library_measure", "local_measure"]
            )
            item.save(update_fields=list(values))
            _audit_item(f"charter_{item._meta.model_name}.edited", item, acting_user, changes)
    return item


def _plain(value):
    return str(value) if isinstance(value, Decimal | date) else value


def item_remove(*, item, acting_user: User) -> None:
    """Removes a place, theme (with its outcomes and measures), outcome (with its measures) or measure."""
    with transaction.atomic():
        _require_draft(_locked(item.version))
        _audit_item(f"charter_{item._meta.model_name}.removed", item, acting_user, {"title": str(item)})
        item.delete()


def _siblings(item):
    if isinstance(item, Outcome):
        return Outcome.objects.filter(theme_id=item.theme_id)
    if isinstance(item, CharterMeasure):
        return CharterMeasure.objects.filter(outcome_id=item.outcome_id)
    return type(item).objects.filter(version_id=item.version_id)


def item_move(*, item, acting_user: User, direction: str) -> None:
    """Moves an item one place up or down among its siblings (positions are renumbered 1..n)."""
    if direction not in ("up", "down"):
        raise DomainError("Choose up or down")
    with transaction.atomic():
        _require_draft(_locked(item.version))
        ordered = list(_siblings(item).select_for_update().order_by("position", "id"))
        index = next(i for i, sibling in enumerate(ordered) if sibling.pk == item.pk)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, sibling in enumerate(ordered, start=1):
            if sibling.position != position:
                sibling.position = position
                sibling.save(update_fields=["position"])
        _audit_item(f"charter_{item._meta.model_name}.moved", item, acting_user, {"direction": direction})


def theme_add(
    *, version: CharterVersion, acting_user: User, title: str, description: str = "", weight: Decimal = Decimal("0")
) -> Theme:
    with transaction.atomic():
        _require_draft(_locked(version))
        theme = Theme.objects.create(
            authority=version.authority,
            version=version,
            title=title.strip(),
            description=description.strip(),
            weight=weight,
            position=_next_position(version.themes.all()),
        )
        _audit_item("charter_theme.added", theme, acting_user, {"weight": str(weight)})
    return theme


def weights_set(*, version: CharterVersion, acting_user: User, weights: dict[int, Decimal]) -> None:
    """Sets every theme's weight at once. They must total exactly 100%."""
    total = sum(weights.values(), Decimal("0"))
    if total != HUNDRED:
        raise DomainError(f"Theme weights must total 100%. They total {total.normalize():f}%.", field="weights")
    if any(weight < 0 or weight > HUNDRED for weight in weights.values()):
        raise DomainError("Each weight must be between 0% and 100%", field="weights")
    with transaction.atomic():
        _require_draft(_locked(version))
        themes = {theme.pk: theme for theme in version.themes.select_for_update()}
        if set(themes) != set(weights):
            raise DomainError("Give a weight for every theme", field="weights")
        changes = {}
        for theme_id, weight in weights.items():
            theme = themes[theme_id]
            if theme.weight != weight:
                changes[theme.title] = {"before": str(theme.weight), "after": str(weight)}
                theme.weight = weight
                theme.save(update_fields=["weight"])
        if changes:
            audit_record(
                authority=version.authority,
                actor=acting_user,
                verb="charter_version.weights_changed",
                obj=version,
                changes=changes,
            )


def outcome_add(*, theme: Theme, acting_user: User, title: str, description: str = "") -> Outcome:
    with transaction.atomic():
        _require_draft(_locked(theme.version))
        outcome = Outcome.objects.create(
            authority=theme.authority,
            version_id=theme.version_id,
            theme=theme,
            title=title.strip(),
            description=description.strip(),
            position=_next_position(theme.outcomes.all()),
        )
        _audit_item("charter_outcome.added", outcome, acting_user)
    return outcome


def measure_add(
    *,
    outcome: Outcome,
    acting_user: User,
    library_measure: Measure | None = None,
    local_measure: LocalMeasure | None = None,
    **values,
) -> CharterMeasure:
    """Adds a measure to an outcome: copied from the platform library or the authority's local measures (then
    adapted with `values`), or written from scratch with `values`."""
    source = library_measure or local_measure
    fields = {field: getattr(source, field) for field in MEASURE_FIELDS} if source else {}
    if source is not None and source.evidence_guidance and "evidence_required" not in values:
        fields["evidence_required"] = source.evidence_guidance
    fields.update({key: value for key, value in values.items() if key in CHARTER_MEASURE_FIELDS})
    with transaction.atomic():
        _require_draft(_locked(outcome.version))
        if CharterMeasure.objects.filter(version_id=outcome.version_id, code=fields.get("code")).exists():
            raise DomainError(f"This charter already has a measure with the code {fields.get('code')}", field="code")
        measure = CharterMeasure(
            authority=outcome.authority,
            version_id=outcome.version_id,
            outcome=outcome,
            library_measure=library_measure,
            local_measure=local_measure,
            position=_next_position(outcome.measures.all()),
            **fields,
        )
        measure.full_clean(
            exclude=["authority", "version", "outcome", "copied_from", "library_measure", "local_measure"]
        )
        measure.save()
        _audit_item(
            "charter_measure.added",
            measure,
            acting_user,
            {"code": measure.code, "from": "library" if library_measure else "local" if local_measure else "new"},
        )
    return measure
