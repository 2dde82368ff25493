"""flows.ingest.shared_api_server asks a running API's health once per run, however deeply it is nested."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def counting_api():
    """A local HTTP server answering 200 to every GET, counting the /health requests it gets."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server hook's name
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("depth, expected", [
    pytest.param(1, ["/api/health"], id="one-run"),
    pytest.param(2, ["/api/health"], id="flow-inside-the-cli-run"),
    pytest.param(3, ["/api/health"], id="deeper"),
])
def test_one_health_probe_per_settled_api(counting_api, depth, expected):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.ingest import shared_api_server

    url, asked = counting_api
    with temporary_settings(updates={PREFECT_API_URL: url}):
        def enter(level: int) -> None:
            with shared_api_server() as got:
                assert got == url
                if level > 1:
                    enter(level - 1)

        enter(depth)
    assert asked == expected


def test_a_later_run_probes_again(counting_api):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.ingest import shared_api_server

    url, asked = counting_api
    with temporary_settings(updates={PREFECT_API_URL: url}):
        for _ in range(2):
            with shared_api_server():
                pass
    assert asked == ["/api/health", "/api/health"]
