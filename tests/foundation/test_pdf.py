"""PDF rendering (foundation/pdf.py): the locked-down URL fetcher serves our static files and nothing else, and a
rendering never reaches the network or the disk outside them."""

import io
from urllib.request import OpenerDirector

import pytest
from pypdf import PdfReader

from foundation import pdf


def test_fetcher_serves_static_files_only():
    content, mime_type = pdf.static_file_bytes(f"{pdf.BASE_URL}static/src/app.js")
    assert content and mime_type in {"text/javascript", "application/javascript"}
    for url in (
        "file:///etc/passwd",
        "http://example.org/x.png",
        "https://example.org/static/src/app.js",
        f"http://{pdf.STATIC_HOST}/static/src/app.js",
        f"{pdf.BASE_URL}static/../config/settings.py",
        f"{pdf.BASE_URL}static/%2e%2e/config/settings.py",
        f"{pdf.BASE_URL}static//etc/passwd",
        f"{pdf.BASE_URL}config/settings.py",
        f"{pdf.BASE_URL}static/no-such-file.css",
        "data:text/css,body{color:red}",
        "ftp://example.org/x",
    ):
        with pytest.raises(pdf.FetchRefused):
            pdf.static_file_bytes(url)


def test_rendering_never_fetches_outside_the_static_files(monkeypatch):
    network = []
    monkeypatch.setattr(OpenerDirector, "open", lambda self, *args, **kwargs: network.append(args))
    asked = []
    real = pdf.static_file_bytes

    def spy(url):
        try:
            result = real(url)
        except pdf.FetchRefused:
            asked.append((url, "refused"))
            raise
        asked.append((url, "served"))
        return result

    monkeypatch.setattr(pdf, "static_file_bytes", spy)
    html = """<!DOCTYPE html><html lang="en-GB"><head><title>Fetch test</title>
      <link rel="stylesheet" href="file:///etc/passwd">
      <style>@import url("http://example.org/evil.css"); body { background: url("/static/src/app.scss"); }</style>
    </head><body><p>Hello</p>
      <img src="http://example.org/x.png" alt="remote"><img src="file:///etc/passwd" alt="local file">
      <img src="/static/build/assets/images/favicon.svg" alt="ours">
    </body></html>"""
    reader = PdfReader(io.BytesIO(pdf.html_to_pdf(html)))
    assert "Hello" in reader.pages[0].extract_text()
    assert network == []
    outcomes = dict(asked)
    assert outcomes["file:///etc/passwd"] == "refused"
    assert outcomes["http://example.org/x.png"] == "refused"
    assert outcomes["http://example.org/evil.css"] == "refused"
    assert outcomes[f"{pdf.BASE_URL}static/src/app.scss"] == "served"
