"""A local fake of the Gemini REST endpoint, driven through the real google-genai SDK."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "test-key-not-secret-7d1f"
MODEL = "gemini-test-flash"


def answer(category: str = "billing", priority: str = "high") -> str:
    return json.dumps({"category": category, "priority": priority})


def gemini_body(text: str) -> dict:
    """A generateContent response whose only part carries `text`."""
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "modelVersion": MODEL,
    }


@dataclass
class Reply:
    status: int = 200
    body: dict | str = field(default_factory=lambda: gemini_body(answer()))
    delay: float = 0.0


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict


class FakeGemini:
    """Answers `POST /v1beta/models/{model}:generateContent` from a queue of replies."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.default = Reply()
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    fake.requests.append(Recorded(self.path, dict(self.headers), body))
                    reply = fake.replies.pop(0) if fake.replies else fake.default
                time.sleep(reply.delay)
                if not self.path.endswith(f"/models/{MODEL}:generateContent"):
                    reply = Reply(404, {"error": {"code": 404, "message": "no such model"}})
                payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                data = payload.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def queue(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def error_reply(status: int, message: str = "failure") -> Reply:
    return Reply(status, {"error": {"code": status, "message": message, "status": "ERROR"}})
