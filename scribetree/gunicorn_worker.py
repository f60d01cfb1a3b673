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
worker is gunicorn's unchanged.

    gunicorn scribetree.wsgi --worker-class scribetree.gunicorn_worker.SyncWorker ...
"""

import contextlib
import os
import select

from gunicorn.workers import sync

EXCLUSIVE = getattr(select, "EPOLLEXCLUSIVE", None)


class SyncWorker(sync.SyncWorker):
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
