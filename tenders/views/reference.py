"""Reference data pages: the CPV code search behind the tender intake's picker (platform-wide, no sign-in: the CPV
vocabulary is public).

`cpv/search/?q=` answers htmx requests (HX-Request) with the results fragment only, a `<ul>` whose options each
carry a "Choose" button with `data-cpv-code`, `data-cpv-description` and, when `?target=<field id>` was given,
`data-cpv-target`; the page that embeds the picker adds the chosen code to that field. A plain request gets the
full page: a search form and a table of results to copy codes from (the intake form takes codes typed into a text
field, so the picker only helps). One query for the results, whatever the vocabulary's size.
"""

import re

from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_vary_headers

from accounts.views import form_status

from ..cpv import cpv_search
from ..forms.reference import CpvSearchForm

FRAGMENT_LIMIT = 20
PAGE_LIMIT = 50
TARGET_PATTERN = re.compile(r"^[A-Za-z][\w-]{0,60}$")


def cpv_search_view(request):
    form = CpvSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_bound and form.is_valid() else ""
    limit = FRAGMENT_LIMIT if request.htmx else PAGE_LIMIT
    # One more than shown tells whether there are more matches than the page lists.
    results = cpv_search(query, limit=limit + 1) if query else []
    target = request.GET.get("target", "")
    context = {
        "form": form,
        "query": query,
        "results": results[:limit],
        "more": len(results) > limit,
        "limit": limit,
        "target": target if TARGET_PATTERN.match(target) else "",
    }
    template = "tenders/reference/cpv_search.html"
    if request.htmx:
        template += "#results"
    response = render(request, template, context, status=form_status(form))
    patch_vary_headers(response, ("HX-Request",))
    return response


staff_urlpatterns = []
public_urlpatterns = []
platform_urlpatterns = [path("cpv/search/", cpv_search_view, name="cpv-search")]
