"""The crawl that proves sealing (RULES.md, electronic receipt: nobody can access tender data before the time limit).

A tender of authority A gets two submitted offers, one offer submitted then withdrawn and one draft never submitted,
each with a supporting document; every narrative, answer, price, document name and file carries a marker string.
Before the deadline every staff role of A requests every /a/<slug>/ and /p/<slug>/ route (plainly and as htmx),
the audit log and a finished audit export are read, and a platform operator walks the Django admin: no marker and
no bidder's name appears anywhere, and refused attempts are in the audit log. After the deadline a procurement
officer opens the offers: procurement officers and evaluators then read the submitted offers' markers on the offer
pages (never the withdrawn or draft ones'); the other roles are refused there and still see no marker anywhere.

The data is built once per test; each role is its own test so the crawls run in parallel.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope, dangerously_unscoped
from tenders import offers, sealing
from tenders.models import Tender
from tests.factories import OrganisationFactory, UserFactory, add_org_member
from tests.isolation import OBJECT_MAKERS, route_keywords
from tests.tenders.factories import build_tender
from tests.tenders.sealed_offers import draft_offer, seat_evaluator, submitted_offer

pytestmark = pytest.mark.django_db

READERS = {role for role in Role if has_permission({role}, "offers.view")}


@dataclass(eq=False)  # compared and hashed by identity: each is one offer
class Bid:
    """One supplier's offer and the strings only it contains."""

    name: str  # the supplier organisation's name: sealed too
    email: str
    narrative: str
    answer: str
    price: str
    document: str
    file_marker: str
    offer: object = None
    user: object = None

    @property
    def markers(self) -> list[str]:
        whole, pence = self.price.split(".")
        grouped = f"{int(whole):,}.{pence}"
        return [self.narrative, self.answer, self.price, grouped, self.document, self.file_marker]


@dataclass
class Sealed:
    tender: Tender
    submitted: list[Bid]
    withdrawn: Bid
    draft: Bid
    documents: dict[int, Bid] = field(default_factory=dict)  # document id → its bid

    @property
    def never_shown(self) -> list[Bid]:
        return [self.withdrawn, self.draft]

    @property
    def bids(self) -> list[Bid]:
        return [*self.submitted, *self.never_shown]


def _bid(tag: str, name: str, price: str) -> Bid:
    return Bid(
        name=name,
        email=f"bids@{tag.lower()}.example.net",
        narrative=f"QX{tag}NARRATIVE",
        answer=f"QX{tag}ANSWER",
        price=price,
        document=f"QX{tag}DOCUMENT.pdf",
        file_marker=f"QX{tag}FILEBYTES",
    )


@pytest.fixture
def sealed(world) -> Sealed:
    tender = build_tender(world, world.a, published=True, reference="SEAL-1")
    state = Sealed(
        tender=tender,
        submitted=[
            _bid("FIRST", "Sealwright Bidders Ltd", "987654.32"),
            _bid("SECOND", "Quillon Offers plc", "876543.21"),
        ],
        withdrawn=_bid("WITHDRAWN", "Retracta Works Ltd", "765432.19"),
        draft=_bid("DRAFT", "Draftonly Makers Ltd", "654321.98"),
    )
    for bid in state.bids:
        organisation = OrganisationFactory(name=bid.name)
        bid.user = UserFactory(email=bid.email, full_name=f"Bidder for {bid.name}")
        add_org_member(organisation, bid.user)
        kwargs = {
            "organisation": organisation,
            "user": bid.user,
            "price": bid.price,
            "narrative": f"{bid.narrative}: apprentices from East Ward.",
            "answer": f"{bid.answer}: our method, with local partners.",
            "documents": {bid.document: f"%PDF-1.4\n% {bid.file_marker}\n%%EOF\n".encode()},
        }
        bid.offer = (
            draft_offer(world, tender, **kwargs) if bid is state.draft else submitted_offer(world, tender, **kwargs)
        )
    with authority_scope(world.a):
        offers.offer_withdraw(offer=state.withdrawn.offer, acting_user=state.withdrawn.user)
        for bid in state.bids:
            state.documents[bid.offer.documents.get().pk] = bid
    return state


def _open(world, sealed):
    with authority_scope(world.a):
        tender = Tender.objects.get(pk=sealed.tender.pk)
        sealing.offers_open(
            tender=tender,
            acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER),
            now=tender.submission_deadline + timedelta(minutes=1),
        )
    seat_evaluator(world, tender)


# The routes -------------------------------------------------------------------------------------------------


def _tenant_routes():
    """(route, url name) for every route under /a/<authority_slug>/ and /p/<authority_slug>/."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace and pattern.namespace
                    else pattern.namespace or namespace
                )
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(("a/<slug:authority_slug>/", "p/<slug:authority_slug>/")):
                    found.append((route, f"{namespace}:{pattern.name}" if namespace else pattern.name))

    walk(get_resolver().url_patterns, "", "")
    return found


@dataclass(frozen=True)
class Url:
    url: str
    name: str
    offer_page: bool  # one of the pages that read offers
    bid: Bid | None = None  # the offer (or its document) this URL names


OFFER_PAGES = {"tenders:offer-list", "tenders:offer-detail", "tenders:offer-document-staff"}


def _urls(world, sealed: Sealed) -> list[Url]:
    """Every tenant route with this tender's objects where the keyword names one (each offer and each document in
    turn), the isolation makers' objects otherwise. Public routes with keywords nothing here can fill are left out."""
    tender = sealed.tender
    with authority_scope(world.a):
        own = {
            "tender_id": [(tender.pk, None)],
            "offer_id": [(bid.offer.pk, bid) for bid in sealed.bids],
            "document_id": list(sealed.documents.items()),
            "relevant_measure_id": [(tender.relevant_measures.first().pk, None)],
            "question_id": [(tender.questions.first().pk, None)],
            "number": [(1, None)],  # a receipt: each offer's first submission
        }
    urls = []
    for route, name in _tenant_routes():
        keywords = route_keywords(route)
        choices = [{}]
        for keyword in keywords:
            if keyword in own:
                options = own[keyword]
            elif keyword in OBJECT_MAKERS and route.startswith("a/"):
                options = [(OBJECT_MAKERS[keyword](world, world.a), None)]
            else:
                choices = []
                break
            choices = [{**chosen, keyword: option} for chosen in choices for option in options]
        for chosen in choices:
            bids = [bid for _, bid in chosen.values() if bid is not None]
            if len(set(bids)) > 1:
                continue  # an offer with another offer's document: refused by the id alone, nothing to learn
            kwargs = {"authority_slug": world.a.slug} | {key: pk for key, (pk, _) in chosen.items()}
            urls.append(Url(reverse(name, kwargs=kwargs), name, name in OFFER_PAGES, bids[0] if bids else None))
    assert {u.name for u in urls} >= OFFER_PAGES | {"tenders:tender-detail", "accounts:audit-log"}
    return urls


def _body(response) -> str:
    # A streamed file read to the end is closed, as a server would close it; closing it again here would end the
    # test's database connection (request_finished).
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return content.decode("utf-8", errors="replace")


def _crawl(client, urls: list[Url]) -> dict[Url, list[tuple[int, str]]]:
    """Each URL requested plainly and as htmx: the status and the body of each."""
    answers = {}
    for url in urls:
        answers[url] = []
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url.url, headers=headers)
            answers[url].append((response.status_code, _body(response)))
    return answers


# Pages that list every supplier organisation on the platform (choosing a contract's supplier), whether or not it
# bid: a name there says nothing about who bid, so only the offers' content and the bidders' emails are checked.
LISTS_EVERY_SUPPLIER = {"compact:contract-create"}


def _leaks(body: str, bids, *, names: bool = True) -> list[str]:
    return [s for bid in bids for s in (*bid.markers, bid.email, *([bid.name] if names else [])) if s in body]


# The crawl, role by role ---------------------------------------------------------------------------------------


def _refusals(world, user) -> list[AuditEvent]:
    with authority_scope(world.a):
        return list(
            AuditEvent.objects.filter(
                authority=world.a, actor=user, verb__in=["offer.sealed_access_refused", "offer.access_refused"]
            )
        )


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_no_staff_role_reads_a_sealed_offer_and_only_readers_read_opened_ones(client, world, sealed, role):
    user = world.user(world.a, role)
    client.force_login(user)
    urls = _urls(world, sealed)

    # Before the deadline: nothing of any offer, anywhere; the offer pages refuse (the list shows the count only).
    for url, answers in _crawl(client, urls).items():
        names = url.name not in LISTS_EVERY_SUPPLIER
        for status, body in answers:
            assert not _leaks(body, sealed.bids, names=names), (
                f"{role.value} GET {url.url} ({status}) shows {_leaks(body, sealed.bids, names=names)}"
            )
            assert status < 500
        if url.offer_page:
            expected = 200 if (url.name == "tenders:offer-list" and role in READERS) else 403
            assert {status for status, _ in answers} == {expected}, f"{role.value} GET {url.url}"
    # Every request for an offer page was an attempt on sealed content, and is in the audit log.
    refused = _refusals(world, user)
    assert len(refused) == 2 * sum(1 for url in urls if url.offer_page)
    for event in refused:
        assert not _leaks(str(event.changes) + event.object_repr, sealed.bids)

    # After the deadline, opened by the procurement officer.
    _open(world, sealed)
    shown_on_offer_pages = set()
    for url, answers in _crawl(client, urls).items():
        names = url.name not in LISTS_EVERY_SUPPLIER
        for _status, body in answers:
            assert not _leaks(body, sealed.never_shown, names=names), (
                f"{role.value} GET {url.url} shows a withdrawn or draft offer"
            )
            if role not in READERS or not url.offer_page:
                assert not _leaks(body, sealed.submitted, names=names), (
                    f"{role.value} GET {url.url} shows {_leaks(body, sealed.submitted, names=names)}"
                )
            else:
                shown_on_offer_pages |= set(_leaks(body, sealed.submitted))
        statuses = {status for status, _ in answers}
        if url.offer_page and role not in READERS:
            assert statuses == {403}, f"{role.value} GET {url.url}"
        elif url.offer_page and url.bid in sealed.never_shown:
            assert statuses == {404}, f"{role.value} GET {url.url}"
        elif url.offer_page:
            assert statuses == {200}, f"{role.value} GET {url.url}"
    if role in READERS:
        for bid in sealed.submitted:
            # Everything of the submitted offers, the price as displayed (grouped) or as submitted.
            assert {bid.narrative, bid.answer, bid.document, bid.file_marker, bid.name} <= shown_on_offer_pages
            assert set(bid.markers[2:4]) & shown_on_offer_pages
    else:
        assert shown_on_offer_pages == set()


# The audit log and its exports ---------------------------------------------------------------------------------


def _audit_pages(client, world) -> list[str]:
    pages, number = [], 1
    while True:
        response = client.get(reverse("accounts:audit-log", args=[world.a.slug]), {"page": number})
        assert response.status_code == 200
        pages.append(response.content.decode())
        if f"page={number + 1}" not in pages[-1]:
            return pages
        number += 1


def _export(client, world, export_format, capture) -> str:
    with capture(execute=True):  # the export job runs when the request's transaction commits
        response = client.post(reverse("accounts:audit-export", args=[world.a.slug]), {"format": export_format})
    assert response.status_code == 303
    job_id = int(response["Location"].rstrip("/").split("/")[-1])
    download = client.get(reverse("accounts:job-download", args=[world.a.slug, job_id]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    if export_format == "csv":
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    )


def test_the_audit_log_and_its_exports_record_attempts_and_never_content(
    client, world, sealed, django_capture_on_commit_callbacks
):
    urls = [u for u in _urls(world, sealed) if u.offer_page]
    for role in Role:
        client.force_login(world.user(world.a, role))
        _crawl(client, urls)
    client.force_login(world.user(world.a, Role.ADMIN))
    for stage in ("sealed", "opened"):
        log = "".join(_audit_pages(client, world))
        assert "offer.sealed_access_refused" in log and "offer.access_refused" in log
        assert not _leaks(log, sealed.bids), f"audit log ({stage}) shows {_leaks(log, sealed.bids)}"
        for export_format in ("csv", "xlsx"):
            exported = _export(client, world, export_format, django_capture_on_commit_callbacks)
            assert "offer.sealed_access_refused" in exported
            assert not _leaks(exported, sealed.bids), f"{export_format} export ({stage})"
        if stage == "sealed":
            _open(world, sealed)
    assert "tender.offers_opened" in log
    for role in Role:
        assert _refusals(world, world.user(world.a, role)), f"no refusal recorded for {role.value}"


# The Django admin ------------------------------------------------------------------------------------------------


def test_the_django_admin_shows_no_offer_content(client, world, sealed):
    operator = UserFactory(email="operator@platform.example.org", is_staff=True, is_superuser=True)
    client.force_login(operator)
    registered = [model for model in admin.site._registry if model._meta.app_label == "tenders"]
    assert registered, "the tenders app registers models in the admin"
    pages = 0
    for stage in ("sealed", "opened"):
        for model in admin.site._registry:
            admin_name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            changelist = client.get(reverse(f"{admin_name}_changelist"))
            assert changelist.status_code == 200
            bodies = [changelist.content.decode()]
            searched = client.get(reverse(f"{admin_name}_changelist"), {"q": "QX"})
            bodies.append(searched.content.decode())
            with dangerously_unscoped():
                first = model._default_manager.order_by("pk").first()
            if first is not None:
                change = client.get(reverse(f"{admin_name}_change", args=[first.pk]))
                assert change.status_code == 200
                bodies.append(change.content.decode())
            for body in bodies:
                pages += 1
                # The operator's admin lists organisations by name, so only the offers' content is checked here.
                markers = [s for bid in sealed.bids for s in bid.markers if s in body]
                assert not markers, f"admin {model._meta.label} ({stage}) shows {markers}"
        if stage == "sealed":
            _open(world, sealed)
    assert pages >= 4 * len(admin.site._registry)
