"""Reads for charters. Each takes the authority (or version) explicitly and fetches content in a fixed number of
queries, whatever the charter's size. Reads for consultations and their comments are in selectors/consultation.py."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Authority
from accounts.scoping import dangerously_unscoped

from ..models import (
    FROZEN_STATUSES,
    Charter,
    CharterMeasure,
    CharterVersion,
    Consultation,
    LocalMeasure,
    Measure,
    Outcome,
    Theme,
    VersionStatus,
)


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


def frozen_versions(authority: Authority) -> list[CharterVersion]:
    """The authority's versions that can no longer change (adopted or superseded), newest first."""
    return list(
        CharterVersion.objects.filter(authority=authority, status__in=FROZEN_STATUSES).order_by("-number", "pk")
    )


def measures_of_versions(authority: Authority, versions) -> QuerySet[CharterMeasure]:
    return (
        CharterMeasure.objects.filter(authority=authority, version__in=versions)
        .select_related("version")
        .order_by("-version__number", "code", "pk")
    )


# The public charter pages ---------------------------------------------------------------------------------------


def charters_public(authority: Authority) -> list[Charter]:
    """The authority's charters that have an adopted or superseded version, each with those versions
    (`public_versions`, newest first) and its adopted one (`adopted`, or None). Two queries."""
    charters = list(
        Charter.objects.filter(authority=authority)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=CharterVersion.objects.filter(status__in=PUBLIC_VERSION_STATUSES).order_by("-number"),
                to_attr="public_versions",
            )
        )
        .order_by("title", "pk")
    )
    charters = [charter for charter in charters if charter.public_versions]
    for charter in charters:
        charter.adopted = next((v for v in charter.public_versions if v.status == VersionStatus.ADOPTED), None)
    return charters


def version_adopted_for_charter(charter_id: int) -> CharterVersion | None:
    return CharterVersion.objects.filter(charter_id=charter_id, status=VersionStatus.ADOPTED).first()


def versions_public_for_charter(charter_id: int) -> list[CharterVersion]:
    """The charter's adopted and superseded versions, newest first."""
    return list(
        CharterVersion.objects.filter(charter_id=charter_id, status__in=PUBLIC_VERSION_STATUSES).order_by("-number")
    )


# Authoring ----------------------------------------------------------------------------------------------------


def charter_versions(charter: Charter) -> list[CharterVersion]:
    """Every version of the charter, newest first, with who adopted it."""
    return list(charter.versions.select_related("adopted_by").order_by("-number"))


def version_themes(version: CharterVersion) -> list[Theme]:
    return list(version.themes.order_by("position", "id"))


def version_measure_codes(version_id: int) -> set[str]:
    """The codes of the measures a version already has."""
    return set(CharterMeasure.objects.filter(version_id=version_id).values_list("code", flat=True))


def library_measures_to_choose(authority: Authority, query: str, *, limit: int) -> tuple[list, list]:
    """(local, platform): the active measures of the authority's own library and of the platform's, by code, those
    whose code, title, theme or outcome contains the words when there are some; at most `limit` of each."""
    platform = Measure.objects.filter(is_active=True)
    local = LocalMeasure.objects.filter(authority=authority, is_active=True)
    if query:
        match = (
            Q(code__icontains=query)
            | Q(title__icontains=query)
            | Q(theme__icontains=query)
            | Q(outcome__icontains=query)
        )
        platform, local = platform.filter(match), local.filter(match)
    return list(local.order_by("code")[:limit]), list(platform.order_by("code")[:limit])
