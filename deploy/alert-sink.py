#!/usr/bin/env python3
"""Stand-in for a pager and a chat channel in the compose demo stack.

Alertmanager's receivers (alertmanager/alertmanager.yml) post their webhooks
here: /pager, /tickets, /info. Each notification is logged as one line per
alert, so `docker-compose logs -f alert-sink` shows what would have paged.
GET /health answers 200 for the healthcheck. Standard library only.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Sink(BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200 if self.path == "/health" else 404
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"ok\n" if code == 200 else b"not found\n")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self.send_response(400)
            self.end_headers()
            return
        receiver = self.path.strip("/") or "default"
        for alert in body.get("alerts", []):
            labels = alert.get("labels", {})
            print(
                f"[{receiver}] {alert.get('status', '?').upper()} "
                f"{labels.get('alertname', '?')} severity={labels.get('severity', '')} "
                f"target={labels.get('target', '')} pool={labels.get('pool', '')} "
                f"application={labels.get('application_name', '')}: "
                f"{alert.get('annotations', {}).get('description', '')}",
                flush=True,
            )
        self.send_response(200)
        self.end_headers()

    def log_message(self, fmt, *args):  # keep the log to alerts only
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    ThreadingHTTPServer(("0.0.0.0", port), Sink).serve_forever()
