"""The container's health check: GET /api/health/ on this container, addressed to APP_URL.

The app answers only requests addressed to its own host names (see ticket_app/api/hosts.py),
so the check sends APP_URL's host as Host, even though it connects to 127.0.0.1. Exits 0
when the app and its database answer, 1 otherwise.
"""

import os
import sys
import urllib.request
from urllib.parse import urlsplit


def main() -> int:
    port = os.environ.get("PORT", "8000")
    host = urlsplit(os.environ.get("APP_URL", "http://localhost:8000")).netloc
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/health/", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (http only)
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"healthcheck: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
