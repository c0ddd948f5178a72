"""The job pipeline end to end through a real Celery worker on Redis: the browser's request queues the task on
the broker, a worker thread picks it up, runs it in the authority's scope and stores the files."""

import csv
import io
import os
import threading
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.urls import reverse
from kombu import pools as kombu_pools
from openpyxl import load_workbook

from accounts.audit import audit_record
from accounts.models import AuditEvent, Job, JobStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from config.celery import app as celery_app
from tests.conftest import build_world

BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/14"

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def celery_worker_on_redis():
    if connection.vendor == "sqlite" and not os.environ.get("CI"):
        # A worker thread and the test writing to one in-memory SQLite database lock each other out.
        pytest.skip("runs on PostgreSQL (set DATABASE_URL); CI always runs it")
    if not _redis_available():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {BROKER_URL}; CI must run this test")
        pytest.skip(f"Redis is not reachable at {BROKER_URL} (start it to run this test)")
    celery_app.conf.update(task_always_eager=False, broker_url=BROKER_URL)
    _reset_broker_connections()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    _reset_broker_connections()


def _reset_broker_connections():
    # Connection pools are made lazily from broker_url and kept in kombu's registry: drop them all, so the next
    # use connects to the broker configured now.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _wait_for(predicate, timeout=30.0):
    """Waits for the worker: checks often, gives up after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        if predicate():
            return True
        pause.wait(0.05)
    return False


def _job_finished(authority, job_id):
    def check():
        with authority_scope(authority):
            return Job.objects.get(pk=job_id).is_finished

    return check


def test_audit_export_through_a_real_worker(client, celery_worker_on_redis):
    world = build_world()
    admin = world.user(world.a, Role.ADMIN)
    for number in range(40):
        audit_record(authority=world.a, actor=admin, verb="test.event", object_id=number, object_repr=f"Item {number}")
    audit_record(authority=world.b, actor=world.user(world.b, Role.ADMIN), verb="test.event", object_repr="B only")
    client.force_login(admin)

    job_ids = {}
    for export_format in ("csv", "xlsx"):
        response = client.post(reverse("accounts:audit-export", args=[world.a.slug]), {"format": export_format})
        assert response.status_code == 303
        job_ids[export_format] = int(response["Location"].rstrip("/").split("/")[-1])

    for job_id in job_ids.values():
        assert _wait_for(_job_finished(world.a, job_id)), "the worker did not finish the job in time"

    with authority_scope(world.a):
        expected = {(e.verb, e.object_id, e.object_repr) for e in AuditEvent.objects.filter(verb="test.event")}
        jobs = {fmt: Job.objects.get(pk=pk) for fmt, pk in job_ids.items()}
    assert all(job.status == JobStatus.SUCCEEDED for job in jobs.values()), [j.error for j in jobs.values()]
    assert len(expected) == 40

    csv_body = b"".join(
        client.get(reverse("accounts:job-download", args=[world.a.slug, jobs["csv"].pk])).streaming_content
    ).decode("utf-8-sig")
    csv_rows = {
        (r["verb"], r["object_id"], r["object"])
        for r in csv.DictReader(io.StringIO(csv_body))
        if r["verb"] == "test.event"
    }
    assert csv_rows == expected

    xlsx = client.get(reverse("accounts:job-download", args=[world.a.slug, jobs["xlsx"].pk]))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)["Audit log"]
    xlsx_rows = {
        (row[2], row[4] or "", row[5]) for row in list(sheet.iter_rows(values_only=True))[1:] if row[2] == "test.event"
    }
    assert xlsx_rows == expected
