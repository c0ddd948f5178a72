"""Supporting documents on an offer (public side, /p/<authority>/, signed in): the list with the upload form,
removing one (with a confirmation page), and downloading one.

Only approved members of the offer's supplier organisation reach these pages: anyone else, authority staff
included, gets 404, and so does another authority's slug with this offer's id (queries run in the slug's authority
scope). The rules live in tenders/documents.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError

from .. import documents, selectors
from ..forms.offer_documents import DocumentUploadForm
from ..models import OfferDocument, OfferStatus
from ..offers import OfferDeadlinePassed

# Set on the request when UploadSizeGuard stops reading a file.
TOO_LARGE = "offer_document_too_large"


class UploadSizeGuard(FileUploadHandler):
    """Stops reading a file part once it passes the size limit and drops it, so an oversized upload is never
    written to memory or disk in full; the page then says the file is too large."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            setattr(self.request, TOO_LARGE, True)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file


def _offer_or_404(request, offer_id):
    if request.authority is None:
        raise Http404("No such authority")
    offer = documents.offer_get_for_member(offer_id=offer_id, user=request.user)
    if offer is None:
        raise Http404("No such offer")
    return offer


def _document_or_404(offer, document_id) -> OfferDocument:
    document = selectors.offer_document_get(offer, document_id)
    if document is None:
        raise Http404("No such document")
    return document


def _list_url(offer) -> str:
    return reverse("tenders:offer-documents", args=[offer.authority.slug, offer.pk])


def _page_context(offer, refusal: str) -> dict:
    listed = documents.documents_for_offer(offer)
    return {
        "offer": offer,
        "tender": offer.tender,
        "documents": listed,
        "refusal": refusal,
        "submitted": offer.status == OfferStatus.SUBMITTED,
        "full": len(listed) >= documents.MAX_DOCUMENTS,
        "max_documents": documents.MAX_DOCUMENTS,
        "offer_url": reverse("tenders:offer-edit", args=[offer.authority.slug, offer.pk]),
        "withdraw_url": reverse("tenders:offer-withdraw", args=[offer.authority.slug, offer.pk]),
    }


@csrf_exempt  # only so the size guard is in place before the body is read: _offer_documents checks the token
@login_required
@require_http_methods(["GET", "POST"])
def offer_documents(request, authority_slug, offer_id):
    if request.method == "POST":
        request.upload_handlers.insert(0, UploadSizeGuard(request, documents.max_bytes()))
    return _offer_documents(request, offer_id)


@csrf_protect
def _offer_documents(request, offer_id):
    offer = _offer_or_404(request, offer_id)
    refusal = documents.document_change_refusal(offer)
    refused_post = False
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES, too_large=getattr(request, TOO_LARGE, False))
        if refusal:
            refused_post = True
        elif form.is_valid():
            try:
                document = documents.document_add(
                    offer=offer,
                    upload=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                    acting_user=request.user,
                )
            except (OfferDeadlinePassed, documents.DocumentsLocked) as error:
                refusal, refused_post = error.message, True
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f"“{document.name}” has been added to your offer.")
                return see_other(_list_url(offer))
    else:
        form = DocumentUploadForm()
    context = _page_context(offer, refusal)
    context |= {"form": form, "error": refusal if refused_post else "", "page_has_errors": refused_post}
    status = 422 if refused_post else form_status(form)
    return render(request, "tenders/offer_documents/document_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def offer_document_remove(request, authority_slug, offer_id, document_id):
    offer = _offer_or_404(request, offer_id)
    document = _document_or_404(offer, document_id)
    refusal = documents.document_change_refusal(offer)
    error = ""
    if request.method == "POST":
        if refusal:
            error = refusal
        else:
            try:
                documents.document_remove(document=document, acting_user=request.user)
            except DomainError as refused:
                error = refused.message
            else:
                messages.success(request, f"“{document.name}” has been removed from your offer.")
                return see_other(_list_url(offer))
    return render(
        request,
        "tenders/offer_documents/document_remove.html",
        {
            "offer": offer,
            "tender": offer.tender,
            "document": document,
            "refusal": refusal or error,
            "error": error,
            "page_has_errors": bool(error),
            "list_url": _list_url(offer),
        },
        status=422 if error else 200,
    )


@login_required
@require_GET
def offer_document_download(request, authority_slug, offer_id, document_id):
    offer = _offer_or_404(request, offer_id)
    document = _document_or_404(offer, document_id)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,  # FileResponse quotes it, RFC 6266 style, with a UTF-8 form for other scripts
        content_type=documents.CONTENT_TYPES[document.kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


staff_urlpatterns = []
public_urlpatterns = [
    path("offers/<int:offer_id>/documents/", offer_documents, name="offer-documents"),
    path(
        "offers/<int:offer_id>/documents/<int:document_id>/remove/",
        offer_document_remove,
        name="offer-document-remove",
    ),
    path("offers/<int:offer_id>/documents/<int:document_id>/", offer_document_download, name="offer-document-download"),
]
platform_urlpatterns = []
