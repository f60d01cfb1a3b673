"""gunicorn's sync worker, with one worker woken per new connection instead of all of them.

gunicorn's SyncWorker waits for connections with select() on the shared listening socket, so each
connection that arrives while workers are idle wakes every idle worker; all but one then fail
accept() with EAGAIN and go back to waiting (the "thundering herd", benoitc/gunicorn#792; an
EPOLLEXCLUSIVE patch, #1239, was closed unmerged for its effect on the async workers). On this
project's 2-core bench that futile waking cost ~0.7 ms of CPU per request below saturation
(gunicorn CPU per page request 5.1 ms with this worker against 5.9 ms, home page at 30-70 % of
saturation: bench/coursework_load.py). Here the wait is an epoll registered with EPOLLEXCLUSIVE
(Linux 4.5+), which wakes one waiting worker per event; everything else (accepting until EAGAIN,
the heartbeat, signals, shutdown) is gunicorn's own code. Where epoll or the flag is missing the
worker keeps gunicorn's wait.

A worker that leaves (recycled by --max-requests, or a graceful shutdown) ends without tearing
down its interpreter: it closes its database connections, runs the atexit handlers (logging's
flush among them) and calls os._exit(0). Python's teardown frees every object one by one, and in
a worker forked from the preloaded master that writes to -- and so copies -- nearly every page
it shares with the master: ~100 ms of CPU per recycled worker, taken from the workers still
serving (`bench/cold_worker.py --recycle-every 300`, one worker: the request that meets a recycle
took 131-138 ms with the teardown and 53-56 ms without, home page; 147-174 and 57-62 ms, writing
page). The same trick as Instagram's "Dismissing Python Garbage
Collection" (2017). gunicorn's own "Worker exiting" log line and worker_exit hook are skipped
(this project sets no such hook); a worker stopped by SIGQUIT/SIGINT exits as gunicorn's does.

    gunicorn scribetree.wsgi --worker-class scribetree.gunicorn_worker.SyncWorker ...
"""

import atexit
import contextlib
import os
import select
import sys

from gunicorn.workers import sync

EXCLUSIVE = getattr(select, "EPOLLEXCLUSIVE", None)


class SyncWorker(sync.SyncWorker):
    def init_process(self):
        super().init_process()  # returns when the worker's loop has ended (recycled or stopped)
        self.exit_without_teardown()

    def exit_without_teardown(self):
        django = sys.modules.get("django.conf")
        if django is not None and django.settings.configured:
            from django.db import connections

            with contextlib.suppress(Exception):  # a broken connection must not stop the exit
                connections.close_all()  # PostgreSQL sees a proper goodbye, not a dropped socket
        atexit._run_exitfuncs()  # noqa: SLF001 - what a normal exit runs before the teardown
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(0)

    def run(self):
        self.poller = None
        if EXCLUSIVE is not None and hasattr(select, "epoll"):
            self.poller = select.epoll()
            self.by_fd = {listener.fileno(): listener for listener in self.sockets}
            for fd in self.by_fd:
                self.poller.register(fd, select.EPOLLIN | EXCLUSIVE)
            self.poller.register(self.PIPE[0], select.EPOLLIN)
        try:
            super().run()
        finally:
            if self.poller is not None:
                self.poller.close()

    def wait(self, timeout):
        """As SyncWorker.wait: the ready listeners (and the signal pipe's fd), or None on timeout."""
        if self.poller is None:
            return super().wait(timeout)
        self.notify()
        try:
            events = self.poller.poll(timeout)
        except InterruptedError:
            return self.sockets
        if not events:
            return None
        ready = []
        for fd, _ in events:
            if fd == self.PIPE[0]:
                with contextlib.suppress(BlockingIOError):  # the signal pipe is non-blocking
                    os.read(fd, 1)
                ready.append(fd)
            else:
                ready.append(self.by_fd[fd])
        return ready
