"""Publishing an authority's public tenders in the Open Contracting Data Standard (OCDS 1.1), with the project's
social value extension (`publication/data/ocds/social_value_extension/`).

One contracting process per public tender (its ocid is `Tender.ocid`: `settings.OCDS_OCID_PREFIX` + "-tender-" +
the tender's id), and one release per stage change, each dated when the change happened:

    release id                         tag                 date                          from
    <ocid>-tender                      tender              publication                   the tender as first published
    <ocid>-amendment-<n>               tenderAmendment     the amendment                 the tender after amendment n
    <ocid>-award-<award id>            award               the award's confirmation      a confirmed award
    <ocid>-contract-<contract id>      contract            the contract's creation       a contract made from it
    <ocid>-implementation-<report id>  implementation      the last line verified        a report's accepted lines

What is published, and what never is:
- Only public tenders, by the public tender list's own rule (`tenders.selectors.public_q`: published, closed or
  awarded, from the publication date); never drafts or cancelled tenders.
- The tender's state at each release is rebuilt from its amendments (each keeps the values before and after).
- Only confirmed awards, from what confirmation froze (`Award.contract_terms`): the winner, its price and its
  commitments. Offers are never read: no other bidder, price, commitment or offer text can appear, and suppliers'
  own words (their narratives) are left out, as on the public tracker.
- Only delivery the contract manager accepted; pending, queried and rejected lines count for nothing.
- Contracts entered directly (awarded elsewhere) have no tender here, so no contracting process.

Publication sits above every stage it reads (docs/architecture.md): it imports their models, and its reads
(`publication.selectors`) join them in the database. Validation against the shipped schemas is
`publication.ocds_schema.validate_package`.
"""

import copy
import json
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority
from charters.models import VersionStatus
from charters.monetisation import monetise_measure
from compact.models import Contract, ContractStatus, DeliveryLine, DeliveryReport
from evaluation.models import Award
from tenders.models import Amendment, RelevantMeasure, Tender, TenderCategory, TenderStatus
from tenders.services import AMENDABLE_FIELDS, FIELD_LABELS, display_value

from .selectors import published_awards, tenders_for_publication

OCDS_VERSION = "1.1"
CURRENCY = "GBP"
# The Open Government Licence: what UK public bodies publish their data under.
DATA_LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
DAYS_PER_MONTH = Decimal("30.4375")
CATEGORIES = {
    TenderCategory.GOODS: "goods",
    TenderCategory.SERVICES: "services",
    TenderCategory.WORKS: "works",
    TenderCategory.LIGHT_TOUCH: "services",  # OCDS has no light-touch category: these are services
}
CONTRACT_STATUSES = {
    ContractStatus.ACTIVE: "active",
    ContractStatus.COMPLETED: "terminated",
    ContractStatus.ENDED_EARLY: "terminated",
}
# The statuses whose contracts the public tracker shows (compact.tracker), so the release can link to it.
TRACKED_STATUSES = (ContractStatus.ACTIVE, ContractStatus.COMPLETED)
DATE_FIELDS = ("clarification_deadline", "submission_deadline")


# Small conversions ----------------------------------------------------------------------------------------------


def _number(value) -> int | float:
    """A Decimal as a JSON number: whole numbers without a fraction."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _money(amount) -> dict:
    return {"amount": _number(amount), "currency": CURRENCY}


def _datetime(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _day_start(day: date) -> str:
    return _datetime(timezone.make_aware(datetime.combine(day, time.min)))


def _day_end(day: date) -> str:
    return _datetime(timezone.make_aware(datetime.combine(day, time(23, 59, 59))))


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _drop_empty(value):
    """Leaves out empty strings, lists, objects and None: OCDS omits what is not known."""
    if isinstance(value, dict):
        cleaned = {key: _drop_empty(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [item for item in (_drop_empty(item) for item in value) if item not in (None, "", [], {})]
    return value


def extension_url() -> str:
    return _absolute(reverse("publication:ocds-extension"))


def extension_docs_url() -> str:
    return _absolute(reverse("publication:ocds-extension-docs"))


def releases_url(authority: Authority) -> str:
    return _absolute(reverse("publication:ocds-releases", args=[authority.slug]))


def records_url(authority: Authority) -> str:
    return _absolute(reverse("publication:ocds-records", args=[authority.slug]))


# Building the releases ------------------------------------------------------------------------------------------


def _states(tender: Tender) -> list[dict]:
    """The amendable fields as first published and then after each amendment, oldest first: the current values with
    the later amendments' "before" values put back."""
    state = {name: getattr(tender, name) for name in AMENDABLE_FIELDS}
    states = [dict(state)]
    for amendment in reversed(tender.amendment_list):
        changes = amendment.changes if isinstance(amendment.changes, dict) else {}
        for name, change in changes.items():
            if name in state and isinstance(change, dict):
                before = change.get("before")
                if name in DATE_FIELDS and isinstance(before, str):
                    before = datetime.fromisoformat(before)
                state[name] = before
        states.append(dict(state))
    return list(reversed(states))


def _published(tender: Tender) -> datetime:
    """When the tender became public: publication, or the later publication date the officer set."""
    moments = [moment for moment in (tender.published_at, tender.publish_at) if moment is not None]
    return max(moments) if moments else tender.created_at


def _party_authority(tender: Tender, state: dict) -> dict:
    authority = tender.authority
    return {
        "id": f"authority-{authority.pk}",
        "name": authority.name,
        "contactPoint": {"name": state.get("contact_name") or "", "email": state.get("contact_email") or ""},
        "roles": ["buyer", "procuringEntity"],
    }


def _party_supplier(supplier: dict) -> dict:
    """`supplier`: the winner's public details (`publication.selectors.tenders_for_publication`)."""
    if supplier["company_number"]:
        identifier = {"scheme": "GB-COH", "id": supplier["company_number"], "legalName": supplier["name"]}
    elif supplier["charity_number"]:
        identifier = {"scheme": "GB-CHC", "id": supplier["charity_number"], "legalName": supplier["name"]}
    else:
        identifier = None
    return {
        "id": f"supplier-{supplier['id']}",
        "name": supplier["name"],
        "identifier": identifier,
        "address": {"postalCode": supplier["postcode"], "countryName": "United Kingdom"},
        "roles": ["supplier", "tenderer"],
    }


def _reference(party: dict) -> dict:
    return {"id": party["id"], "name": party["name"]}


def _weights_text(price, quality, social_value) -> str:
    return f"price {price}%, quality {quality}%, social value {social_value}%"


def award_criteria(tender: Tender) -> str:
    """The awardCriteria code: price only, quality only, or a weighted evaluation (ratedCriteria)."""
    weights = [(tender.price_weight, tender.quality_weight, tender.social_value_weight)]
    weights += [
        (lot.price_weight, lot.quality_weight, lot.social_value_weight)
        for lot in tender.lot_list
        if lot.social_value_weight is not None
    ]
    if all(price == 100 for price, _, _ in weights):
        return "priceOnly"
    if all(price == 0 for price, _, _ in weights):
        return "qualityOnly"
    return "ratedCriteria"


def award_criteria_details(tender: Tender) -> str:
    parts = [
        "The most advantageous tender, by a weighted score: "
        + _weights_text(tender.price_weight, tender.quality_weight, tender.social_value_weight)
        + "."
    ]
    for lot in tender.lot_list:
        if lot.social_value_weight is not None:
            parts.append(
                f"Lot {lot.number} ({lot.title}): "
                + _weights_text(lot.price_weight, lot.quality_weight, lot.social_value_weight)
                + "."
            )
    parts.append(
        "Social value is scored on the bidder's commitments to the relevant measures of the authority's community "
        "value charter, monetised at the charter's proxy values, and on a written method statement."
    )
    return " ".join(parts)


def _measure(relevant: RelevantMeasure) -> dict:
    measure = relevant.charter_measure
    return {
        "id": str(relevant.pk),
        "code": measure.code,
        "title": measure.title,
        "theme": measure.outcome.theme.title,
        "unit": measure.unit,
        "proxyValue": _money(measure.proxy_value_gbp) if measure.proxy_value_gbp is not None else None,
        "relevance": relevant.reason,
        "weight": _number(relevant.weight),
        "target": _number(relevant.quantity) if relevant.quantity is not None else None,
        "targetKind": relevant.quantity_kind if relevant.quantity is not None else None,
        "lot": str(relevant.lot.number) if relevant.lot_id else None,
    }


def _social_value(tender: Tender) -> dict:
    version = tender.charter_version
    charter = None
    if version is not None:
        public = version.status in (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED)
        charter = {
            "id": str(version.pk),
            "title": version.charter.title,
            "version": version.number,
            "url": _absolute(reverse("charters:version-public", args=[tender.authority.slug, version.pk]))
            if public
            else None,
        }
    return {
        "charter": charter,
        "weighting": {
            "percentage": tender.social_value_weight,
            "justification": tender.weighting_justification,
        },
        "relevantMeasures": [_measure(measure) for measure in tender.measure_list],
    }


def _items(tender: Tender) -> list[dict]:
    codes = tender.cpv_list
    if not codes:
        return []
    classify = [{"scheme": "CPV", "id": code.code, "description": code.description} for code in codes]
    return [
        {
            "id": "1",
            "description": tender.title,
            "classification": classify[0],
            "additionalClassifications": classify[1:],
        }
    ]


def _amendment(tender: Tender, amendment: Amendment, number: int) -> dict:
    ocid = tender.ocid
    changes = amendment.changes if isinstance(amendment.changes, dict) else {}
    lines = [
        f"{item.get('label', FIELD_LABELS.get(name, name))}: "
        f"{display_value(name, item.get('before'))} → {display_value(name, item.get('after'))}"
        for name, item in changes.items()
        if isinstance(item, dict)
    ]
    return {
        "id": str(number),
        "date": _datetime(amendment.created_at),
        "rationale": amendment.reason,
        "description": "; ".join(lines),
        "amendsReleaseID": f"{ocid}-tender" if number == 1 else f"{ocid}-amendment-{number - 1}",
        "releaseID": f"{ocid}-amendment-{number}",
    }


def _tender_section(tender: Tender, state: dict, amendments: list[dict], *, status: str) -> dict:
    published = _published(tender)
    deadline = state["submission_deadline"]
    clarification = state["clarification_deadline"]
    months = state["contract_term_months"]
    documents = [
        {
            "id": "tender-notice",
            "documentType": "tenderNotice",
            "title": f"Tender notice: {state['title']}",
            "url": _absolute(reverse("tenders:tender-public", args=[tender.authority.slug, tender.pk])),
            "datePublished": _datetime(published),
            "format": "text/html",
            "language": "en",
        }
    ]
    social_value = _social_value(tender)
    if social_value["charter"] and social_value["charter"]["url"]:
        documents.append(
            {
                "id": "charter",
                "documentType": "evaluationCriteria",
                "title": f"Community value charter: {social_value['charter']['title']}",
                "description": "The authority's charter, whose measures the social value criteria ask for.",
                "url": social_value["charter"]["url"],
                "format": "text/html",
                "language": "en",
            }
        )
    return {
        "id": tender.reference,
        "title": state["title"],
        "description": state["description"],
        "status": status,
        "procuringEntity": {"id": f"authority-{tender.authority.pk}", "name": tender.authority.name},
        "items": _items(tender),
        "value": _money(tender.estimated_value),
        "procurementMethod": "open",
        "procurementMethodDetails": "Open procedure: any supplier may submit an offer.",
        "mainProcurementCategory": CATEGORIES.get(tender.category, "services"),
        "awardCriteria": award_criteria(tender),
        "awardCriteriaDetails": award_criteria_details(tender),
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": "Offers are submitted on this service and sealed until the submission deadline.",
        "tenderPeriod": {"startDate": _datetime(published), "endDate": _datetime(deadline) if deadline else None},
        "enquiryPeriod": {
            "startDate": _datetime(published),
            "endDate": _datetime(clarification) if clarification else None,
        },
        "contractPeriod": {"durationInDays": int((months * DAYS_PER_MONTH).to_integral_value()) if months else None},
        "documents": documents,
        "amendments": amendments,
        "socialValue": social_value,
    }


def _release(process: Tender, suffix: str, tag: str, when: datetime, **sections) -> dict:
    ocid = process.ocid
    return _drop_empty(
        {
            "ocid": ocid,
            "id": f"{ocid}-{suffix}",
            "date": _datetime(when),
            "tag": [tag],
            "initiationType": "tender",
            "language": "en",
            "buyer": {"id": f"authority-{process.authority.pk}", "name": process.authority.name},
            **sections,
        }
    )


def _commitment(award: Award, index: int, item: dict) -> dict:
    measure = award.measures.get(item.get("charter_measure_id"))
    quantity = Decimal(str(item.get("quantity") or "0"))
    value = None
    if measure is not None and measure.proxy_value_gbp is not None:
        value = _money(monetise_measure(measure, quantity).gross)
    return {
        "id": str(index),
        "measure": item.get("measure") or (measure.code if measure else None),
        "title": measure.title if measure else None,
        "quantity": _number(quantity),
        "unit": measure.unit if measure else None,
        "place": item.get("place") or None,
        "deliveryPeriod": item.get("delivery_period") or None,
        "value": value,
    }


def _award_section(tender: Tender, award: Award) -> dict:
    terms = award.contract_terms
    title = f"Award of {tender.reference}" + (f", lot {award.lot.number}: {award.lot.title}" if award.lot else "")
    return {
        "id": str(award.pk),
        "title": title,
        "status": "active",
        "date": _datetime(award.decided_at),
        "value": _money(terms["value"]) if terms.get("value") not in (None, "") else None,
        "suppliers": [_reference(_party_supplier(award.supplier))] if award.supplier else [],
        "socialValue": {
            "commitments": [
                _commitment(award, index, item) for index, item in enumerate(terms.get("commitments", []), start=1)
            ]
        },
    }


def _contract_section(tender: Tender, contract: Contract, award: Award) -> dict:
    section = {
        "id": str(contract.pk),
        "awardID": str(award.pk),
        "title": contract.title,
        "status": CONTRACT_STATUSES.get(contract.status, "active"),
        "period": {
            "startDate": _day_start(contract.starts_on),
            "endDate": _day_end(contract.ended_on or contract.ends_on),
        },
        "value": _money(contract.value),
    }
    if contract.status in TRACKED_STATUSES:
        section["documents"] = [
            {
                "id": "delivery-tracker",
                "documentType": "physicalProgressReport",
                "title": f"Social value delivery: {contract.reference}",
                "url": _absolute(reverse("compact:tracker-contract", args=[tender.authority.slug, contract.pk])),
                "format": "text/html",
                "language": "en",
            }
        ]
    return section


def _delivery(line: DeliveryLine, report: DeliveryReport) -> dict:
    measure = line.commitment.charter_measure
    value = _money(monetise_measure(measure, line.quantity).gross) if measure.proxy_value_gbp is not None else None
    return {
        "id": str(line.pk),
        "measure": measure.code,
        "title": measure.title,
        "period": {"startDate": _day_start(report.period_start), "endDate": _day_end(report.period_end)},
        "quantityVerified": _number(line.quantity),
        "unit": measure.unit,
        "place": line.place or line.commitment.place,
        "value": value,
        "dateVerified": _datetime(line.verified_at) if line.verified_at else None,
    }


def tender_releases(tender: Tender) -> list[dict]:
    """Every release of one public tender's contracting process, oldest first. `tender` comes from
    `publication.selectors.tenders_for_publication`."""
    buyer_state = _states(tender)
    amendments = [_amendment(tender, amendment, n) for n, amendment in enumerate(tender.amendment_list, start=1)]
    releases = [
        _release(
            tender,
            "tender",
            "tender",
            _published(tender),
            parties=[_party_authority(tender, buyer_state[0])],
            tender=_tender_section(tender, buyer_state[0], [], status="active"),
        )
    ]
    for number, amendment in enumerate(tender.amendment_list, start=1):
        state = buyer_state[number]
        releases.append(
            _release(
                tender,
                f"amendment-{number}",
                "tenderAmendment",
                max(amendment.created_at, _published(tender)),
                parties=[_party_authority(tender, state)],
                tender=_tender_section(tender, state, amendments[:number], status="active"),
            )
        )
    current = buyer_state[-1]
    awarded = tender.status == TenderStatus.AWARDED
    awards = published_awards(tender)
    for award in awards:
        confirmed_all = awarded and award is awards[-1]
        parties = [_party_authority(tender, current)]
        if award.supplier is not None:
            parties.append(_party_supplier(award.supplier))
        releases.append(
            _release(
                tender,
                f"award-{award.pk}",
                "award",
                award.confirmed_at,
                parties=parties,
                tender={"id": tender.reference, "status": "complete" if confirmed_all else "active"},
                awards=[_award_section(tender, award)],
            )
        )
        contract = award.contract
        if contract is not None:
            releases.append(
                _release(
                    tender,
                    f"contract-{contract.pk}",
                    "contract",
                    contract.created_at,
                    contracts=[_contract_section(tender, contract, award)],
                )
            )
            for report in contract.published_reports:
                verified = [line.verified_at for line in report.accepted_lines if line.verified_at]
                when = max(verified) if verified else (report.submitted_at or contract.created_at)
                releases.append(
                    _release(
                        tender,
                        f"implementation-{report.pk}",
                        "implementation",
                        when,
                        contracts=[
                            {
                                "id": str(contract.pk),
                                "awardID": str(award.pk),
                                "implementation": {
                                    "socialValue": {
                                        "delivery": [_delivery(line, report) for line in report.accepted_lines]
                                    }
                                },
                            }
                        ],
                    )
                )
    return sorted(releases, key=lambda release: release["date"])


def _releases_of(authority: Authority, tenders=None, now: datetime | None = None) -> dict[str, list[dict]]:
    found = tenders_for_publication(authority, tenders=tenders, now=now)
    return {tender.ocid: tender_releases(tender) for tender in found}


def _package_head(authority: Authority, uri: str, dates: list[str]) -> dict:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [extension_url()],
        # The newest release's date, so that the same data gives the same package (and caches agree).
        "publishedDate": max(dates) if dates else _datetime(timezone.now()),
        "publisher": {"name": authority.name},
        "license": DATA_LICENCE,
    }


def release_package(authority: Authority, *, tenders=None, now: datetime | None = None) -> dict:
    """An OCDS 1.1 release package of every release of the authority's public tenders (or of `tenders` among
    them), oldest first."""
    releases = [release for found in _releases_of(authority, tenders, now).values() for release in found]
    releases.sort(key=lambda release: release["date"])  # stable: a process's stages keep their order
    return {
        **_package_head(authority, releases_url(authority), [release["date"] for release in releases]),
        "releases": releases,
    }


# Records: merging releases ----------------------------------------------------------------------------------------


def _merge_into(target: dict, patch: dict) -> None:
    """OCDS merge, for the fields this module emits: objects merge field by field; arrays of objects with ids
    merge by id (identifier merge); other arrays and values are replaced by the newer release's."""
    for key, value in patch.items():
        existing = target.get(key)
        if isinstance(value, dict) and isinstance(existing, dict):
            _merge_into(existing, value)
        elif (
            isinstance(value, list)
            and isinstance(existing, list)
            and value
            and all(isinstance(item, dict) and "id" in item for item in value + existing)
        ):
            by_id = {str(item["id"]): item for item in existing}
            for item in value:
                if str(item["id"]) in by_id:
                    _merge_into(by_id[str(item["id"])], item)
                else:
                    existing.append(copy.deepcopy(item))
                    by_id[str(item["id"])] = existing[-1]
        else:
            target[key] = copy.deepcopy(value)


def compile_releases(releases: list[dict]) -> dict:
    """The compiled release: the current state of every field, from the releases in date order."""
    compiled: dict = {}
    for release in sorted(releases, key=lambda release: release["date"]):
        _merge_into(compiled, {key: value for key, value in release.items() if key not in ("id", "tag")})
    compiled["id"] = f"{compiled['ocid']}-compiled"
    compiled["tag"] = ["compiled"]
    return compiled


def record_package(authority: Authority, ocid: str | None = None, *, now: datetime | None = None) -> dict:
    """An OCDS 1.1 record package: per ocid, its releases (linked to the release package by id) and the compiled
    release. With `ocid`, only that process (no records when it is not one of the authority's public tenders)."""
    package_url = releases_url(authority)
    records = []
    for found_ocid, releases in _releases_of(authority, now=now).items():
        if ocid is not None and found_ocid != ocid:
            continue
        records.append(
            {
                "ocid": found_ocid,
                "releases": [
                    {"url": f"{package_url}#{release['id']}", "date": release["date"], "tag": release["tag"]}
                    for release in releases
                ],
                "compiledRelease": compile_releases(releases),
            }
        )
    uri = records_url(authority) + (f"?ocid={ocid}" if ocid else "")
    return {
        **_package_head(authority, uri, [record["compiledRelease"]["date"] for record in records]),
        "packages": [package_url],
        "records": records,
    }


def to_json(package: dict) -> str:
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n"
