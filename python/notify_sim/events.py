"""A receiver for the SES stub's delivery events (`serve --callback-url`), for tests and for
bridging the events to a queue-fed receiver such as Notify's process-ses-result task."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional

from .errors import NotifySimError


class SesEvent(dict):
    """One POST from the stub: the SNS envelope as a dict (Type, MessageId, TopicArn, Message,
    ...). `notification` is the SES notification inside it (`Message`, parsed)."""

    @property
    def notification(self) -> Dict[str, Any]:
        message = self.get("Message")
        if isinstance(message, str):
            return json.loads(message)
        return dict(self)  # sns_envelope off: the body is the notification itself

    @property
    def notification_type(self) -> str:
        return str(self.notification.get("notificationType", ""))

    @property
    def message_id(self) -> str:
        """The SES MessageId the event is about (mail.messageId)."""
        return str(self.notification.get("mail", {}).get("messageId", ""))


class EventReceiver:
    """An HTTP endpoint on 127.0.0.1 (a free port) that records every event POSTed to it.

        with EventReceiver() as events, NotifySim(callback_url=events.url) as sim:
            ...send...
            [event] = events.wait_for(count=1, timeout=5)
            event.notification["bounce"]["bounceType"]

    `on_event(event)`, if given, is called for each event as it arrives (in the receiver's
    thread), e.g. to put the envelope on the queue a queue-fed receiver reads.
    """

    def __init__(self, on_event: Optional[Callable[[SesEvent], None]] = None,
                 path: str = "/ses-events"):
        self.on_event = on_event
        self.path = path
        self.events: List[SesEvent] = []
        self._cond = threading.Condition()
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self.url = ""

    def start(self) -> "EventReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    event = SesEvent(json.loads(body.decode("utf-8")))
                except ValueError:
                    self.send_response(400)
                    self.end_headers()
                    return
                if receiver.on_event is not None:
                    receiver.on_event(event)
                with receiver._cond:
                    receiver.events.append(event)
                    receiver._cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d%s" % (self._server.server_address[1], self.path)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="notify-sim-events", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "EventReceiver":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> List[SesEvent]:
        """Blocks until at least `count` events have arrived and returns them all; raises an
        AssertionError naming what did arrive when `timeout` seconds pass first."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.events) >= count, timeout=timeout):
                raise EventWaitTimeout("waited %.3g s for %d SES event(s); got %d: %s"
                                       % (timeout, count, len(self.events),
                                          [e.notification_type for e in self.events]))
            return list(self.events)

    def clear(self) -> None:
        with self._cond:
            self.events.clear()


class EventWaitTimeout(NotifySimError, AssertionError):
    """EventReceiver.wait_for ran out of time."""
