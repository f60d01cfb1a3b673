"""A WSGI app and workers that count futile accepts, for tests/gunicorn/test_worker.py."""

import atexit
import os

from gunicorn.workers.sync import SyncWorker as GunicornSyncWorker

from scribetree.gunicorn_worker import SyncWorker


def _note_exit():
    with open(os.path.join(os.environ["EXIT_DIR"], str(os.getpid())), "w") as out:
        out.write("atexit ran")


class _Teardown:
    """Freed only by the interpreter's teardown, which the production worker skips."""

    def __init__(self):
        self.folder = os.environ["EXIT_DIR"]

    def __del__(self, open=open, join=os.path.join, getpid=os.getpid):  # noqa: A002 - builtins are gone by teardown time
        with open(join(self.folder, f"teardown-{getpid()}"), "w") as out:
            out.write("torn down")


if os.environ.get("EXIT_DIR"):  # loaded in each worker (no --preload): each worker's own handler
    atexit.register(_note_exit)
    _kept_until_teardown = _Teardown()


def app(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


class CountingMixin:
    """Counts accept() calls that found no connection (EAGAIN), written to $COUNT_DIR/<pid> at exit."""

    futile = 0

    def accept(self, listener):
        try:
            super().accept(listener)
        except BlockingIOError:
            self.futile += 1
            raise

    def run(self):
        try:
            super().run()
        finally:
            with open(os.path.join(os.environ["COUNT_DIR"], str(os.getpid())), "w") as out:
                out.write(str(self.futile))


class CountingWorker(CountingMixin, SyncWorker):
    pass


class CountingGunicornWorker(CountingMixin, GunicornSyncWorker):  # for comparison, by hand
    pass
