"""A WSGI app and workers that count futile accepts, for tests/gunicorn/test_worker.py."""

import os

from gunicorn.workers.sync import SyncWorker as GunicornSyncWorker

from scribetree.gunicorn_worker import SyncWorker


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
