"""The Web API stand-in over HTTP on 127.0.0.1, for ``slack_sdk.WebClient(base_url=...)``.

``answer(handler, workspace, raw)`` serves one request already read by any
``BaseHTTPRequestHandler``, so the webhook receiver can mount the Web API with::

    if self.path.startswith("/api/"):
        answer(self, workspace, raw)
        return
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

from gd2slack.local.loopback import LoopbackServer
from gd2slack.local.slack_web_api.model import DROP
from gd2slack.local.slack_web_api.workspace import SlackWorkspace


def answer(handler: BaseHTTPRequestHandler, workspace: SlackWorkspace, raw: bytes) -> None:
    """Answer ``POST /api/<method>[?query]`` (``GET`` too, as Slack does) from ``workspace``."""
    path, _, query = handler.path.partition("?")
    method = path.removeprefix("/api/")
    ctype = handler.headers.get("Content-Type", "")
    status, headers, body = workspace.handle(method, dict(handler.headers), raw, ctype, query)
    if status == DROP:  # the request was read (and maybe acted on); no answer comes
        handler.close_connection = True
        return
    handler.send_response(status)
    for key, value in {**headers, "Content-Length": str(len(body))}.items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)


class SlackWebApiServer(LoopbackServer):
    """``with SlackWebApiServer(ws) as slack:``, then ``WebClient(base_url=slack.base_url)``."""

    def __init__(self, workspace: SlackWorkspace | None = None) -> None:
        self.workspace = workspace or SlackWorkspace()
        super().__init__(self._handler_class())

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        workspace = self.workspace

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms Nagle + delayed-ACK stall per request

            def do_POST(self) -> None:
                answer(
                    self, workspace, self.rfile.read(int(self.headers.get("Content-Length") or 0))
                )

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
