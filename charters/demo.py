"""Demo charters for `seed_demo`: Northmoor has an adopted charter (consulted on last season) and version 2 out
for consultation now, with comments in every state; Eastvale has an adopted charter of its own (consulted on in
the spring). Idempotent: an existing demo charter is left as it is."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope

from . import consultation as consultation_services
from . import services
from .models import Charter, CommentSection, Measure, ResponseOutcome

TITLE = "Northmoor Community Value Charter"
ILLUSTRATIVE = "Illustrative figure for the demo, not a published proxy"
DEMO_PROXIES = {"CVC-EMP-01": Decimal("24000"), "CVC-EMP-02": Decimal("15000")}


def _add_starter_measures(version, commissioner):
    """Each template outcome gets the starter measures that usually serve it."""
    measures = {}
    for measure in Measure.objects.filter(is_active=True).order_by("code"):
        measures.setdefault(measure.outcome, []).append(measure)
    for outcome in version.outcomes.all():
        for measure in measures.get(outcome.title, [])[:3]:
            proxy = DEMO_PROXIES.get(measure.code)
            extra = {"proxy_value_gbp": proxy, "proxy_source": ILLUSTRATIVE, "proxy_year": 2026} if proxy else {}
            services.measure_add(outcome=outcome, acting_user=commissioner, library_measure=measure, **extra)


def seed_demo(world) -> list[str]:
    return _seed_northmoor(world) + _seed_eastvale(world)


EASTVALE_TITLE = "Eastvale Social Value Charter"


def _seed_eastvale(world) -> list[str]:
    authority = world.authorities["eastvale"]
    commissioner = world.staff[("eastvale", Role.COMMISSIONER)]
    with authority_scope(authority):
        if Charter.objects.filter(title=EASTVALE_TITLE).exists():
            return []
        today = timezone.localdate()
        charter = services.charter_create(
            authority=authority, acting_user=commissioner, title=EASTVALE_TITLE, start="template"
        )
        version = charter.versions.get()
        services.version_details_update(
            version=version,
            acting_user=commissioner,
            title=EASTVALE_TITLE,
            vision="Eastvale's contracts should keep money, jobs and care in our market towns and villages.",
            local_context=(
                "Eastvale is a rural district of 95,000 people in three market towns and forty villages. Bus links "
                "are thin, so work and services close to home matter more here than in the city."
            ),
        )
        services.place_add(
            version=version, acting_user=commissioner, name="Riverside", needs="Low pay and few entry-level jobs"
        )
        services.place_add(
            version=version, acting_user=commissioner, name="Eastvale Villages", needs="Isolation, no buses"
        )
        _add_starter_measures(version, commissioner)
        opened = today - timedelta(weeks=30)
        consultation = services.consultation_open(
            version=version,
            acting_user=commissioner,
            opens_on=opened,
            closes_on=opened + timedelta(weeks=12),
            today=opened,
        )
        services.version_adopt(
            version=version, acting_user=commissioner, today=consultation.closes_on + timedelta(days=1)
        )
    return [f"{'Charter: ' + EASTVALE_TITLE:<49} version 1 adopted after a 12-week consultation"]


def _seed_northmoor(world) -> list[str]:
    authority = world.authorities["northmoor"]
    commissioner = world.staff[("northmoor", Role.COMMISSIONER)]
    resident, forum_member = world.resident, world.community_user
    with authority_scope(authority):
        if Charter.objects.filter(title=TITLE).exists():
            return []
        today = timezone.localdate()
        charter = services.charter_create(authority=authority, acting_user=commissioner, title=TITLE, start="template")
        v1 = charter.versions.get()
        services.version_details_update(
            version=v1,
            acting_user=commissioner,
            title=TITLE,
            vision="Every pound Northmoor spends should leave the borough fairer, greener and better connected.",
            local_context=(
                "Northmoor is a borough of 180,000 people. Youth unemployment in the east of the borough is twice "
                "the national rate, and one household in five lives in fuel poverty.\n\n"
                "Our voluntary and community sector runs 400 groups, most of them small and volunteer-led."
            ),
        )
        services.place_add(version=v1, acting_user=commissioner, name="Moor End", needs="Highest youth unemployment")
        services.place_add(version=v1, acting_user=commissioner, name="Canal Side", needs="Fuel poverty, poor housing")
        _add_starter_measures(v1, commissioner)

        # Last season's consultation, closed and answered, then adoption.
        opened = today - timedelta(weeks=20)
        consultation = services.consultation_open(
            version=v1, acting_user=commissioner, opens_on=opened, closes_on=opened + timedelta(weeks=12), today=opened
        )
        theme = v1.themes.get(title="Tackling economic inequality")
        comment = consultation_services.comment_create(
            consultation=consultation,
            acting_user=forum_member,
            section=CommentSection.THEME,
            item=theme,
            organisation=world.community_group,
            today=opened + timedelta(days=10),
            text="Please make sure jobs go to people in Moor End, not just anyone in the borough.",
        )
        consultation_services.comment_moderate(comment=comment, acting_user=commissioner, decision="published")
        consultation_services.comment_respond(
            comment=comment,
            acting_user=commissioner,
            outcome=ResponseOutcome.ACCEPTED,
            text="Agreed: Moor End is now a priority place, and local jobs count residents of priority places first.",
            change_made="Moor End added as a priority place with its needs.",
        )
        services.version_adopt(version=v1, acting_user=commissioner, today=consultation.closes_on + timedelta(days=1))

        # Version 2: a revision out for consultation now.
        v2 = services.version_revise(charter=charter, acting_user=commissioner)
        services.place_add(version=v2, acting_user=commissioner, name="Northgate", needs="Isolated older residents")
        weights = {theme.pk: theme.weight for theme in v2.themes.all()}
        covid, wellbeing = v2.themes.get(title="COVID-19 recovery"), v2.themes.get(title="Wellbeing")
        weights[covid.pk], weights[wellbeing.pk] = Decimal("10"), Decimal("30")
        services.weights_set(version=v2, acting_user=commissioner, weights=weights)
        open_now = services.consultation_open(
            version=v2, acting_user=commissioner, opens_on=today, closes_on=today + timedelta(weeks=12), today=today
        )
        answered = consultation_services.comment_create(
            consultation=open_now,
            acting_user=resident,
            section=CommentSection.VISION,
            text="The vision should mention older people, who are often forgotten.",
        )
        consultation_services.comment_moderate(comment=answered, acting_user=commissioner, decision="published")
        consultation_services.comment_respond(
            comment=answered,
            acting_user=commissioner,
            outcome=ResponseOutcome.PARTLY,
            text="Northgate, where many older people live alone, is now a priority place. The vision stays short.",
            change_made="Northgate added as a priority place.",
        )
        waiting = consultation_services.comment_create(
            consultation=open_now,
            acting_user=forum_member,
            section=CommentSection.THEME,
            item=wellbeing,
            organisation=world.community_group,
            text="Raising wellbeing to 30% is welcome. Will small groups be able to bid for this work?",
        )
        consultation_services.comment_moderate(comment=waiting, acting_user=commissioner, decision="published")
        consultation_services.comment_create(
            consultation=open_now,
            acting_user=resident,
            section=CommentSection.CONTEXT,
            text="The fuel poverty figure looks out of date.",
        )
    return [f"{'Charter: ' + TITLE:<49} version 1 adopted, version 2 in consultation (3 comments)"]
