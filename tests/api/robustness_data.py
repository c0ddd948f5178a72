"""What the API robustness run (test_robustness.py) stands on: the OpenAPI schema and real objects to aim at.

The schema comes from drf-spectacular's generator, the same one /api/schema/ serves, so every endpoint added to the
URL conf is in the run without a change here. Path parameters are aimed at real objects of one authority: each
keyword's object comes from the makers the generated route tests use (tests/isolation.py), plus a few objects in
other states (an adopted version, a published comment) so both the allowed and the refused paths are taken.
"""

import json
import re
from dataclasses import dataclass, field

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from accounts.models import Authority, User
from accounts.roles import Role
from accounts.scoping import authority_scope
from tests.conftest import World, build_world
from tests.factories import MembershipFactory, UserFactory, add_org_member
from tests.isolation import OBJECT_MAKERS

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def api_schema() -> dict:
    """The OpenAPI document /api/schema/ serves, as plain JSON data (no request, no database)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def schema_operations(schema: dict) -> set[str]:
    """Every operation as schemathesis labels it: "GET /api/v1/authorities/"."""
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def path_keywords(schema: dict) -> set[str]:
    """The names of every path parameter in the schema, but the authority's slug (every route has it)."""
    return {name for path in schema["paths"] for name in re.findall(r"{(\w+)}", path)} - {"authority_slug"}


# Objects in other states than the makers' own, by keyword: (world, authority) -> [ids].
def _adopted_version(world, authority):
    """One adopted (frozen) charter version per authority, built once."""
    from charters.models import CharterVersion
    from tests.charters.factories import adopt_without_consultation, build_charter

    with authority_scope(authority):
        version = CharterVersion.objects.filter(title="Robustness adopted charter").first()
    if version is None:
        _, version = build_charter(world, authority, title="Robustness adopted charter")
        version = adopt_without_consultation(world, authority, version)
    return version


def _adopted(attribute):
    def extra(world, authority):
        version = _adopted_version(world, authority)
        if attribute is None:
            return [version.pk]
        if attribute == "charter":
            return [version.charter_id]
        with authority_scope(authority):
            return [getattr(version, attribute).order_by("position", "id").first().pk]

    return extra


def _published_comments(world, authority):
    from charters.models import Consultation
    from tests.charters.test_consultation import add_comment, answer, publish

    with authority_scope(authority):
        consultation = Consultation.objects.get(pk=OBJECT_MAKERS["consultation_id"](world, authority))
    published = publish(world, add_comment(world, consultation, text="A published robustness comment"))
    answered = answer(world, publish(world, add_comment(world, consultation, text="An answered robustness comment")))
    return [published.pk, answered.comment_id]


EXTRA_OBJECTS = {
    "version_id": _adopted(None),
    "charter_id": _adopted("charter"),
    "place_id": _adopted("places"),
    "theme_id": _adopted("themes"),
    "outcome_id": _adopted("outcomes"),
    "charter_measure_id": _adopted("measures"),
    "comment_id": _published_comments,
}


@dataclass
class RobustnessWorld:
    world: World
    authority: Authority
    other: Authority
    staff: User  # every staff role in `authority` (none elsewhere), and a member of the world's organisations
    token: str = ""  # the staff person's personal API token
    objects: dict[str, list] = field(default_factory=dict)  # path keyword -> real values in `authority`
    missing: set[str] = field(default_factory=set)  # path keywords with no maker

    def aim(self, name: str, generated, turn: int):
        """The value to send for the path parameter `name` in an operation's `turn`-th case.

        Mostly a real object, in turn; one case in eight keeps the generated value (an odd or unknown id, which must
        still answer a clean 404) and one in eight names the other authority. Chosen by turn, never at random, so a
        derandomized run sends the same requests every time.
        """
        if turn % 8 == 7:
            return generated
        if name == "authority_slug":
            return self.other.slug if turn % 8 == 6 else self.authority.slug
        values = self.objects.get(name)
        if not values:
            return generated
        return values[turn % len(values)]


def build_robustness_world(keywords: set[str]) -> RobustnessWorld:
    """The two-authority world, a person with every staff role in authority A, and A's objects for `keywords`.

    The person also belongs to the supplier that bids to both authorities and to the community group, so the
    supplier's and the community's endpoints (its offers, its contracts' reports, comments for the group) are
    reached with real objects too.
    """
    world = build_world()
    staff = UserFactory(email="every-role@authority-a.example.org", full_name="Ev Everyrole")
    for role in Role:
        MembershipFactory(authority=world.a, user=staff, role=role)
    for organisation in (world.supplier_both, world.supplier_one, world.community_group):
        add_org_member(organisation, staff)
    data = RobustnessWorld(world=world, authority=world.a, other=world.b, staff=staff)
    for keyword in sorted(keywords):
        maker = OBJECT_MAKERS.get(keyword)
        if maker is None:
            data.missing.add(keyword)
            continue
        data.objects[keyword] = [maker(world, world.a)]
    for keyword, extra in EXTRA_OBJECTS.items():
        if keyword in data.objects:
            data.objects[keyword] += extra(world, world.a)
    return data
