"""A supplier's member adds supporting documents to a draft offer in the browser: a disguised file is refused by the
field, a PDF is uploaded, listed and downloaded, then removed after confirming. axe on every page and state."""

import re

import pytest
from django.core.files.storage import storages
from playwright.sync_api import Page, expect

from tenders.models import OfferDocument
from tests.conftest import build_world
from tests.e2e.conftest import browser_mark, sign_in, submit, visit
from tests.tenders.factories import build_tender
from tests.tenders.test_documents import EXE, pdf_bytes
from tests.tenders.test_offers import _draft

pytestmark = browser_mark


@pytest.fixture
def private_storage(settings, tmp_path, monkeypatch):
    # As in tests/tenders/test_documents.py: the live server runs in this process, so it stores here too.
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    monkeypatch.setattr(OfferDocument._meta.get_field("file"), "storage", storages["private"])


def test_upload_download_and_remove_a_document(browser_page: Page, private_storage, tmp_path):
    page = browser_page
    world = build_world()
    tender = build_tender(world, world.a, published=True, title="Street cleaning in the east wards")
    offer = _draft(world, tender)
    plan = tmp_path / "Delivery plan.pdf"
    plan.write_bytes(pdf_bytes())
    disguised = tmp_path / "Figures.pdf"
    disguised.write_bytes(EXE)

    sign_in(page, world.supplier_both_user.email)
    visit(page, f"/p/{world.a.slug}/offers/{offer.pk}/documents/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supporting documents")
    expect(page.locator("#no-documents")).to_be_visible()
    expect(page.get_by_role("link", name="Back to your offer")).to_be_visible()

    # A program named as a PDF is refused next to the field, with the error summary; the description is kept.
    # GOV.UK Frontend's enhanced file upload moves the id to its "Choose file" button; the input keeps its name.
    file_input = page.locator('input[type="file"][name="file"]')
    file_input.set_input_files(str(disguised))
    page.get_by_label("Description (optional)").fill("Our figures")
    submit(page, page.get_by_role("button", name="Upload document"), status=422)
    expect(page).to_have_title(re.compile(r"^Error: Supporting documents"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The selected file is named .pdf but it is a Windows program, not a PDF")
    expect(page.locator("#id_file-error")).to_contain_text("it is a Windows program")
    expect(page.get_by_label("Description (optional)")).to_have_value("Our figures")

    # A real PDF is uploaded and listed with who uploaded it.
    file_input.set_input_files(str(plan))
    page.get_by_label("Description (optional)").fill("How we will deliver in Moor End")
    submit(page, page.get_by_role("button", name="Upload document"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "“Delivery plan.pdf” has been added to your offer."
    )
    documents = page.locator("#documents")
    expect(documents).to_contain_text("How we will deliver in Moor End")
    expect(documents).to_contain_text("Bo Bidder")

    with page.expect_download() as downloading:
        documents.get_by_role("link", name="Delivery plan.pdf", exact=True).click()
    download = downloading.value
    assert download.suggested_filename == "Delivery plan.pdf"
    assert download.path().read_bytes() == pdf_bytes()

    # Removing asks first.
    submit(page, documents.get_by_role("link", name="Remove Delivery plan.pdf"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to remove “Delivery plan.pdf”?")
    submit(page, page.get_by_role("button", name="Remove document"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("has been removed from your offer")
    expect(page.locator("#no-documents")).to_be_visible()
