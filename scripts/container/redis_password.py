"""Redis's password into REFLEX_REDIS_URL, for every Python process in the image.

The compose stack keeps Redis's password in a file (`REDIS_PASSWORD_FILE`, on the
redis-secret volume): it is generated on the first start, so the compose file cannot write
it into the URL. The Dockerfile installs this module into the image's virtualenv with a
`.pth` line that imports it, so the server, the migrations and a command run with
`docker compose exec app python -m ticket_app.manage ...` all get the URL with the password;
a process started by `exec` never passes through the entrypoint, and the app rightly
refuses a remote Redis without a password. A URL that already has one is left as it is.
"""

import os
import urllib.parse


def add_password() -> None:
    path = os.environ.get("REDIS_PASSWORD_FILE", "")
    url = os.environ.get("REFLEX_REDIS_URL", "")
    if not path or "://" not in url or urllib.parse.urlsplit(url).password is not None:
        return
    try:
        with open(path, encoding="utf-8") as secret:
            password = secret.read()
    except OSError:
        return  # the app then refuses the URL without a password, and says why
    scheme, rest = url.split("://", 1)
    os.environ["REFLEX_REDIS_URL"] = f"{scheme}://:{urllib.parse.quote(password, safe='')}@{rest}"


add_password()
