"""Two real transactions on two PostgreSQL connections, interleaved without sleeping.

    first = Holder(lambda: offers_open(...))       # runs in its own thread and transaction, then holds it open
    first.start_and_hold()                         # returns once the work is done and its locks are held
    second = Worker(lambda: offer_submit(...))     # its own thread and connection
    second.start()
    wait_until_blocked(second, by=first)           # polls pg_locks until `second` waits for `first`'s lock
    first.release()                                # `first` commits; `second` goes on
    finish(first, second)                          # joins both, re-raising anything unexpected

Every wait is bounded (TIMEOUT seconds, and a lock_timeout on each connection) so a broken lock cannot hang the
suite. Threads start with an empty context: each piece of work enters its authority's scope itself.
"""

import threading
import time

import pytest
from django.db import connection

TIMEOUT = 20.0


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL's row locks and several connections at once (set DATABASE_URL); CI runs it on PostgreSQL"
        )


class Worker(threading.Thread):
    """Runs `work()` on its own database connection; keeps its result or the exception it raised."""

    def __init__(self, work, name="worker"):
        super().__init__(name=name, daemon=True)
        self.work = work
        self.result = None
        self.error = None
        self.pid = None
        self.connected = threading.Event()

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = %s", [f"{int(TIMEOUT * 1000)}ms"])
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.connected.set()
            self.result = self._run()
        except BaseException as error:
            self.error = error
        finally:
            self.connected.set()
            connection.close()

    def _run(self):
        return self.work()


class Holder(Worker):
    """Runs `work()` inside a transaction and keeps the transaction (and its locks) open until `release()`."""

    def __init__(self, work, name="holder"):
        super().__init__(work, name=name)
        self.holding = threading.Event()
        self._release = threading.Event()

    def _run(self):
        from django.db import transaction

        try:
            with transaction.atomic():
                result = self.work()
                self.holding.set()
                if not self._release.wait(TIMEOUT):
                    raise TimeoutError("the test never released the transaction")
            return result
        finally:
            self.holding.set()

    def start_and_hold(self):
        self.start()
        assert self.holding.wait(TIMEOUT), "the first transaction did not finish its work in time"
        if self.error is not None:
            raise self.error

    def release(self):
        self._release.set()


def wait_until_blocked(worker: Worker, *, by: Worker, timeout: float = TIMEOUT) -> None:
    """Waits until `worker`'s connection is waiting for a lock that `by`'s connection holds. Fails (after
    releasing nothing: the caller's `finish` does that) if it has not happened within `timeout` seconds."""
    assert worker.connected.wait(timeout), "the second transaction did not connect"
    deadline = time.monotonic() + timeout
    pause = threading.Event()  # never set: a bounded pause between two looks at pg_locks
    while time.monotonic() < deadline:
        if worker.error is not None or not worker.is_alive():
            raise AssertionError(f"the second transaction finished without waiting for the lock: {worker.error!r}")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT %s = ANY(pg_blocking_pids(pid)) FROM pg_stat_activity"
                " WHERE pid = %s AND wait_event_type = 'Lock'",
                [by.pid, worker.pid],
            )
            row = cursor.fetchone()
        if row and row[0]:
            return
        pause.wait(0.01)
    raise AssertionError("the second transaction never waited for the first one's lock")


def finish(*workers: Worker) -> None:
    """Releases any holder, then joins every thread (bounded)."""
    for worker in workers:
        if isinstance(worker, Holder):
            worker.release()
    for worker in workers:
        if worker.is_alive() or worker.ident is not None:
            worker.join(TIMEOUT)
            assert not worker.is_alive(), f"{worker.name} did not finish in time"
