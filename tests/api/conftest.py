"""Helpers for the API tests: a client that speaks JSON, tokens for the world's people, a fresh throttle count."""

from itertools import count

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tokens import token_create

_numbers = count(1)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Rate-limit counters live in the cache; each test starts from zero so no test depends on another's requests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def token_for(user, name="Test token") -> str:
    _, secret = token_create(user=user, name=name)
    return secret


def as_user(client: APIClient, user) -> APIClient:
    """Authenticates the client with a fresh personal token of `user` (None: anonymous)."""
    client.credentials()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, name=f'Test token {next(_numbers)}')}")
    return client


def assert_error(response, status: int, *, field: str | None = None):
    """The one error body: status, title, detail and errors by field."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"status", "title", "detail", "errors"}
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if field is not None:
        assert field in body["errors"], body
        assert all(isinstance(message, str) for message in body["errors"][field])
    return body
