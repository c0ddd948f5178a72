"""An admin invites a new member of staff, who creates an account from the emailed link and joins the authority."""

import re
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import Membership
from accounts.roles import Role
from accounts.scoping import authority_scope
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, sign_out, submit, visit

pytestmark = browser_mark

INVITEE = "new.person@example.org"
NEW_PASSWORD = "plum-orchard-lantern-42"


def test_accept_an_invitation(browser_page: Page):
    page = browser_page
    world = build_world()
    admin = world.user(world.a, Role.ADMIN)

    # The admin invites the new person as an evaluator from the members page.
    sign_in(page, admin.email)
    visit(page, f"/a/{world.a.slug}/")
    submit(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="Members", exact=True))
    submit(page, page.get_by_role("button", name="Invite a member of staff"))
    page.get_by_label("Email address").fill(INVITEE)
    roles = page.get_by_role("group", name="Roles")
    roles.get_by_label("Evaluator", exact=True).check()
    submit(page, page.get_by_role("button", name="Send invitation"))
    expect(page.get_by_role("alert")).to_contain_text(f"Invitation sent to {INVITEE}.")
    invitations = page.locator("#invitations tbody tr")
    expect(invitations).to_have_count(1)
    expect(invitations).to_contain_text(INVITEE)
    expect(invitations).to_contain_text("Evaluator")

    # The email went out when the invitation was committed; its link is the only way in.
    (message,) = mail.outbox
    assert message.to == [INVITEE]
    assert world.a.name in message.body and "Evaluator" in message.body
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    invitation_path = urlsplit(link).path

    sign_out(page)

    # Signed out, the link offers to sign in or create an account.
    visit(page, invitation_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {world.a.name}")
    expect(page.locator("main")).to_contain_text(INVITEE)
    submit(page, page.get_by_role("button", name="Create an account"))

    # The registration form has the invited address already, and sends the new person back to the invitation.
    expect(page.get_by_label("Email address")).to_have_value(INVITEE)
    page.get_by_label("Full name").fill("Nova Person")
    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm your password").fill(NEW_PASSWORD)
    submit(page, page.get_by_role("button", name="Create account"))
    expect(page).to_have_url(re.compile(re.escape(invitation_path) + "$"))
    expect(page.get_by_role("alert")).to_contain_text("Your account has been created.")
    expect(page.locator("main li")).to_have_text(["Evaluator"])

    submit(page, page.get_by_role("button", name="Accept invitation"))
    expect(page).to_have_url(re.compile(rf"/a/{world.a.slug}/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"You have joined {world.a.name}.")
    expect(page.locator("#your-roles dt")).to_have_text(["Evaluator"])
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Members", exact=True)).to_have_count(0)
    with authority_scope(world.a):
        assert list(Membership.objects.filter(user__email=INVITEE).values_list("role", flat=True)) == ["evaluator"]

    # The link works once.
    visit(page, invitation_path, status=410)
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")
    expect(page.locator("#invitation-problem")).to_have_text("This invitation has already been used.")
    expect(page.get_by_role("button", name="Accept invitation")).to_have_count(0)
