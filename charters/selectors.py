"""Reads for charters. Each takes the authority (or version) explicitly and fetches content in a fixed number of
queries, whatever the charter's size."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.models import Authority
from accounts.scoping import dangerously_unscoped

from .models import Charter, CharterMeasure, CharterVersion, Consultation, Outcome, Theme, VersionStatus


@dataclass
class VersionContent:
    version: CharterVersion
    places: list
    themes: list  # each with .outcome_list, each outcome with .measure_list

    @property
    def weights_total(self):
        return sum((theme.weight for theme in self.themes), 0)

    @property
    def measure_count(self) -> int:
        return sum(len(outcome.measure_list) for theme in self.themes for outcome in theme.outcome_list)


def version_content(version: CharterVersion) -> VersionContent:
    """The whole version, ordered, in four queries: places, themes, outcomes, measures."""
    themes = list(
        Theme.objects.filter(version=version)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.order_by("position", "id").prefetch_related(
                    Prefetch(
                        "measures", queryset=CharterMeasure.objects.order_by("position", "id"), to_attr="measure_list"
                    )
                ),
                to_attr="outcome_list",
            )
        )
    )
    return VersionContent(version=version, places=list(version.places.order_by("position", "id")), themes=themes)


def charters_for_authority(authority: Authority) -> list[Charter]:
    charters = list(
        Charter.objects.filter(authority=authority).prefetch_related(
            Prefetch("versions", queryset=CharterVersion.objects.order_by("-number"), to_attr="version_list")
        )
    )
    for charter in charters:
        charter.adopted = next((v for v in charter.version_list if v.status == VersionStatus.ADOPTED), None)
        charter.in_progress = next(
            (v for v in charter.version_list if v.status in (VersionStatus.DRAFT, VersionStatus.CONSULTATION)), None
        )
    return charters


def adopted_versions(authority: Authority) -> QuerySet[CharterVersion]:
    return CharterVersion.objects.filter(authority=authority, status=VersionStatus.ADOPTED).select_related("charter")


def public_adopted_versions() -> list[CharterVersion]:
    """Every authority's adopted charters: public information, so read across authorities."""
    with dangerously_unscoped():
        return list(
            CharterVersion.objects.filter(status=VersionStatus.ADOPTED)
            .select_related("authority", "charter")
            .order_by("authority__name", "title")
        )


def public_open_consultations(today) -> list[Consultation]:
    with dangerously_unscoped():
        return list(
            Consultation.objects.filter(
                opens_on__lte=today, closes_on__gte=today, version__status=VersionStatus.CONSULTATION
            )
            .select_related("authority", "version")
            .order_by("closes_on")
        )


# Reads for the API (charters/api/): public callers see adopted and superseded versions only ------------------

PUBLIC_VERSION_STATUSES = (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED)


def _visible_versions(include_drafts: bool) -> QuerySet[CharterVersion]:
    versions = CharterVersion.objects.order_by("-number")
    return versions if include_drafts else versions.filter(status__in=PUBLIC_VERSION_STATUSES)


def charters_visible(authority: Authority, *, include_drafts: bool) -> QuerySet[Charter]:
    """The authority's charters with `visible_versions`: every version for its staff, else only charters with an
    adopted or superseded version, and only those versions. Two queries, whatever the number of versions."""
    charters = Charter.objects.filter(authority=authority)
    if not include_drafts:
        charters = charters.filter(versions__status__in=PUBLIC_VERSION_STATUSES).distinct()
    return charters.prefetch_related(
        Prefetch("versions", queryset=_visible_versions(include_drafts), to_attr="visible_versions")
    )


def charter_get_visible(authority: Authority, charter_id: int, *, include_drafts: bool) -> Charter | None:
    return charters_visible(authority, include_drafts=include_drafts).filter(pk=charter_id).first()


def version_get_visible(authority: Authority, version_id: int, *, include_drafts: bool) -> CharterVersion | None:
    return (
        _visible_versions(include_drafts)
        .filter(authority=authority, pk=version_id)
        .select_related("charter", "authority")
        .first()
    )


def version_item_get(authority: Authority, model, item_id: int):
    """A place, theme, outcome or charter measure of one of the authority's versions, with its version."""
    return model.objects.filter(authority=authority, pk=item_id).select_related("version").first()
