"""The register's pages: the staff register and its forms (422 with the error summary and values kept, 303 on
success), the charter consultations' explanation, the public register with its compliance table, the calendar, the
iCalendar feed, the public summary partial, and query counts at two sizes."""

from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import register
from compact.models import RegisteredConsultation
from compact.views.register import ics_fold, ics_text
from tests.charters.factories import build_charter, open_consultation


def _url(name, authority, *args):
    return reverse(f"compact:{name}", args=[authority.slug, *args])


def _date_fields(name, day):
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def _form(title="Parks strategy", opens_on=date(2026, 5, 4), closes_on=date(2026, 7, 27), **extra):
    return {
        "title": title,
        "summary": "Parks for the next ten years.",
        "url": "https://www.example.org/parks",
        **_date_fields("opens_on", opens_on),
        **_date_fields("closes_on", closes_on),
        "shorter_reason": "",
        **extra,
    }


def _add(world, authority=None, **values):
    authority = authority or world.a
    values = {"title": "Parks strategy", "opens_on": date(2026, 5, 4), "closes_on": date(2026, 7, 27), **values}
    with authority_scope(authority):
        return register.register_add(
            authority=authority, acting_user=world.user(authority, Role.COMMISSIONER), **values
        )


@pytest.fixture
def commissioner(client, world):
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    return client


# Staff pages ------------------------------------------------------------------------------------------------------


def test_empty_register(commissioner, world):
    response = commissioner.get(_url("register-list", world.a))
    assert response.status_code == 200
    assert "There are no consultations in the register yet." in response.text
    assert _url("register-new", world.a) in response.text


def test_enter_a_consultation(commissioner, world):
    response = commissioner.post(_url("register-new", world.a), _form())
    assert response.status_code == 303
    with authority_scope(world.a):
        entry = RegisteredConsultation.objects.get()
    assert response["Location"] == f"{_url('register-list', world.a)}#entry-{entry.pk}"
    assert (entry.title, entry.opens_on, entry.closes_on) == ("Parks strategy", date(2026, 5, 4), date(2026, 7, 27))
    page = commissioner.get(_url("register-list", world.a)).text
    assert "Parks strategy" in page and "12 weeks" in page
    assert _url("register-edit", world.a, entry.pk) in page


def test_shorter_without_reason_answers_422_and_keeps_everything(commissioner, world):
    response = commissioner.post(_url("register-new", world.a), _form(closes_on=date(2026, 6, 15)))
    assert response.status_code == 422
    text = response.text
    assert "<title>Error: Enter a consultation" in text
    assert "govuk-error-summary" in text
    assert "Explain why the consultation is shorter than 12 weeks: it runs for 6 weeks" in text
    assert 'href="#id_shorter_reason"' in text
    assert 'value="Parks strategy"' in text and 'value="https://www.example.org/parks"' in text
    assert 'value="15"' in text and "Parks for the next ten years." in text
    with authority_scope(world.a):
        assert not RegisteredConsultation.objects.exists()
    # Giving the reason adds it.
    response = commissioner.post(
        _url("register-new", world.a), _form(closes_on=date(2026, 6, 15), shorter_reason="Council decides in July.")
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_form(closes_on=date(2026, 5, 1)), "The closing date must be after the opening date"),
        (_form(closes_on=date(2026, 5, 4)), "The closing date must be after the opening date"),
        (_form(title=""), "Enter the consultation&#x27;s title"),
        (_form(url="www example"), "Enter a web address in the correct format"),
        ({**_form(), "opens_on_day": "31", "opens_on_month": "2"}, "The opening date must be a real date"),
        ({**_form(), "closes_on_day": "", "closes_on_month": "", "closes_on_year": ""}, "Enter the date the"),
    ],
)
def test_bad_input_answers_422(commissioner, world, data, message):
    response = commissioner.post(_url("register-new", world.a), data)
    assert response.status_code == 422
    assert message in response.text
    with authority_scope(world.a):
        assert not RegisteredConsultation.objects.exists()


def test_edit_keeps_the_record_on_bad_input(commissioner, world):
    entry = _add(world)
    url = _url("register-edit", world.a, entry.pk)
    page = commissioner.get(url)
    assert page.status_code == 200 and 'value="Parks strategy"' in page.text and 'value="2026"' in page.text
    response = commissioner.post(url, _form(title="Renamed", closes_on=date(2026, 5, 2)))
    assert response.status_code == 422 and 'value="Renamed"' in response.text
    with authority_scope(world.a):
        entry.refresh_from_db()
    assert (entry.title, entry.closes_on) == ("Parks strategy", date(2026, 7, 27))
    assert commissioner.post(url, _form(title="Renamed")).status_code == 303
    with authority_scope(world.a):
        entry.refresh_from_db()
        assert AuditEvent.objects.filter(verb="register.consultation_updated").count() == 1
    assert entry.title == "Renamed"


def test_remove_asks_first(commissioner, world):
    entry = _add(world)
    url = _url("register-remove", world.a, entry.pk)
    page = commissioner.get(url)
    assert page.status_code == 200 and "Remove “Parks strategy” from the register?" in page.text
    response = commissioner.post(url)
    assert response.status_code == 303 and response["Location"] == _url("register-list", world.a)
    with authority_scope(world.a):
        assert not RegisteredConsultation.objects.exists()


def test_feedback(commissioner, world):
    entry = _add(world, opens_on=date(2025, 5, 4), closes_on=date(2025, 7, 27))
    url = _url("register-feedback", world.a, entry.pk)
    assert commissioner.get(url).status_code == 200
    response = commissioner.post(url, {"feedback_given": "yes", "feedback_url": ""})
    assert response.status_code == 422
    assert "Enter the web address where the feedback is published" in response.text
    unchosen = commissioner.post(url, {"feedback_url": ""})
    assert unchosen.status_code == 422 and "Choose whether respondents got feedback" in unchosen.text
    response = commissioner.post(url, {"feedback_given": "yes", "feedback_url": "https://www.example.org/f"})
    assert response.status_code == 303
    with authority_scope(world.a):
        entry.refresh_from_db()
    assert entry.feedback_given and entry.feedback_url == "https://www.example.org/f"
    page = commissioner.get(_url("register-list", world.a)).text
    assert 'href="https://www.example.org/f"' in page


def test_charter_consultations_are_explained_not_edited(commissioner, world):
    _, version = build_charter(world, world.a, title="Our charter")
    consultation = open_consultation(world, world.a, version)
    with authority_scope(world.a):
        entry = RegisteredConsultation.objects.get()
    for name in ("register-edit", "register-remove", "register-feedback"):
        url = _url(name, world.a, entry.pk)
        for response in (commissioner.get(url), commissioner.post(url, _form())):
            assert response.status_code == 200
            assert "kept in step with the charter" in response.text
    with authority_scope(world.a):
        entry.refresh_from_db()
    assert entry.title == "Our charter, version 1"
    page = commissioner.get(_url("register-list", world.a)).text
    assert "Charter consultation" in page
    assert reverse("charters:consultation-manage", args=[world.a.slug, consultation.pk]) in page


def test_viewers_see_no_actions(client, world):
    _add(world)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    page = client.get(_url("register-list", world.a))
    assert page.status_code == 200 and "Parks strategy" in page.text
    assert "Enter a consultation" not in page.text and "Record feedback" not in page.text


def test_year_filter(commissioner, world):
    _add(world, title="Last year's", opens_on=date(2025, 5, 4), closes_on=date(2025, 7, 27))
    _add(world, title="This year's")
    page = commissioner.get(_url("register-list", world.a), {"year": "2025"}).text
    assert "Last year&#x27;s" in page and "This year&#x27;s" not in page and "opening in 2025 to 2026" in page
    page = commissioner.get(_url("register-list", world.a), {"year": "1999"}).text
    assert "Last year&#x27;s" in page and "This year&#x27;s" in page


# Public pages -----------------------------------------------------------------------------------------------------


def test_public_register_and_compliance_table(client, world):
    _add(world, title="Met", opens_on=date(2025, 6, 1), closes_on=date(2025, 9, 1))
    _add(world, title="Short", opens_on=date(2026, 3, 1), closes_on=date(2026, 4, 1), shorter_reason="Budget deadline")
    _add(world, world.b, title="Not A's")
    response = client.get(_url("register-public", world.a))
    assert response.status_code == 200
    text = response.text
    assert "Met" in text and "No. Reason: Budget deadline" in text and "Not A&#x27;s" not in text
    assert 'id="compliance-2025"' in text and "100.0%" in text
    assert "Record feedback" not in text and "/a/" not in text.split("<main")[1]


def test_public_register_empty(client, world):
    response = client.get(_url("register-public", world.a))
    assert response.status_code == 200 and "has no consultations in its register yet" in response.text


def test_calendar(client, world):
    today = timezone.localdate()
    _add(
        world,
        title="Spanning",
        opens_on=date(today.year, 1, 10),
        closes_on=date(today.year, 1, 10) + timedelta(weeks=12),
    )
    response = client.get(_url("register-calendar", world.a))
    assert response.status_code == 200
    text = response.text
    assert f"Consultation calendar {today.year}" in text
    assert text.count("This month") == 1 and 'aria-current="date"' in text
    assert "Spanning" in text and "No consultations open, close or run this month." in text
    assert f"?year={today.year - 1}" in text and f"?year={today.year + 1}" in text
    other = client.get(_url("register-calendar", world.a), {"year": str(today.year + 2)}).text
    assert "Spanning" not in other and "This month" not in other
    assert f"There are no consultations in {today.year + 2}." in other
    assert client.get(_url("register-calendar", world.a), {"year": "nonsense"}).status_code == 200


def test_calendar_feed(client, world):
    _add(
        world,
        title="Parks, paths; and \\ more",
        opens_on=date(2026, 5, 4),
        closes_on=date(2026, 6, 1),
        shorter_reason="Short,\nbecause of the election",
        summary="é" * 100,
        url="https://www.example.org/parks",
    )
    _, version = build_charter(world, world.a, title="Our charter")
    consultation = open_consultation(world, world.a, version)
    _add(world, world.b, title="B's consultation")
    response = client.get(_url("register-calendar-ics", world.a))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:Consultation: Parks\\, paths\\; and \\\\ more" in unfolded
    assert "Short\\,\\nbecause of the election" in unfolded
    assert "DTSTART;VALUE=DATE:20260504" in unfolded and "DTEND;VALUE=DATE:20260602" in unfolded
    assert "URL:https://www.example.org/parks\r\n" in unfolded
    # A charter consultation's page, made absolute.
    assert f"URL:http://testserver/p/{world.a.slug}/consultations/{consultation.pk}/\r\n" in unfolded
    assert "B's consultation" not in unfolded
    uid = [line for line in unfolded.split("\r\n") if line.startswith("UID:")]
    assert len(uid) == 2
    again = client.get(_url("register-calendar-ics", world.a)).content.decode("utf-8").replace("\r\n ", "")
    assert all(line in again for line in uid)


def test_ics_helpers():
    assert ics_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = ics_fold("SUMMARY:" + "é" * 80)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == "SUMMARY:" + "é" * 80


def test_charter_consultation_link_in_public_register(client, world):
    _, version = build_charter(world, world.a, title="Our charter")
    consultation = open_consultation(world, world.a, version)
    page = client.get(_url("register-public", world.a)).text
    assert reverse("charters:consultation-public", args=[world.a.slug, consultation.pk]) in page
    assert "Not yet: still open" in page


def test_public_summary_partial(world):
    today = timezone.localdate()
    _add(world, title="Open now", opens_on=today - timedelta(days=3), closes_on=today + timedelta(weeks=12))
    _add(world, title="Coming", opens_on=today + timedelta(days=20), closes_on=today + timedelta(days=20, weeks=12))
    request = RequestFactory().get("/")
    with authority_scope(world.a):
        html = render_to_string(
            "compact/register/_public_summary.html",
            {"authority": world.a, "register_summary": register.public_summary(world.a, today)},
            request=request,
        )
    assert "100.0%" in html and "Open now" in html and "Coming" in html
    assert _url("register-calendar", world.a) in html


# Query counts -----------------------------------------------------------------------------------------------------


def _many(world, count):
    today = timezone.localdate()
    for number in range(count):
        opens = today - timedelta(days=40 * number)
        _add(
            world,
            title=f"Consultation {number}",
            opens_on=opens,
            closes_on=opens + timedelta(weeks=6 if number % 2 else 12),
            shorter_reason="Short" if number % 2 else "",
        )
    for weeks in (12, 8):
        _, version = build_charter(world, world.a, title=f"Charter {weeks}")
        open_consultation(world, world.a, version, weeks=weeks)


@pytest.mark.parametrize("count", [3, 30])
def test_query_counts_do_not_grow(client, world, django_assert_max_num_queries, count):
    _many(world, count)
    public_pages = [
        _url("register-public", world.a),
        _url("register-calendar", world.a),
        _url("register-calendar-ics", world.a),
    ]
    for url in public_pages:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    client.get(_url("register-list", world.a))  # warm the session
    with django_assert_max_num_queries(10):
        assert client.get(_url("register-list", world.a)).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(_url("register-list", world.a), {"page": "2"}).status_code == 200
