#!/bin/sh
# Container entrypoint: `serve` (the default) applies pending migrations, then
# replaces this shell with the server so it is PID 1 and receives SIGTERM.
# Anything else is run as given, e.g. `docker compose run app python -m ticket_app.migrate`.
set -eu

# Redis's password (REDIS_PASSWORD_FILE) reaches REFLEX_REDIS_URL in every Python process
# of the image, this one's and `docker compose exec`'s alike: scripts/container/redis_password.py.

if [ "$#" -eq 0 ] || [ "$1" = serve ]; then
    [ "$#" -gt 0 ] && shift
    # The database may still be starting (plain `docker run`, a restarted db):
    # retry for up to MIGRATE_WAIT_SECONDS before giving up.
    deadline=$(( $(date +%s) + ${MIGRATE_WAIT_SECONDS:-60} ))
    until python -m ticket_app.migrate; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "entrypoint: migrations failed; giving up" >&2
            exit 1
        fi
        echo "entrypoint: migrations failed; retrying in 2 s" >&2
        sleep 2
    done
    exec python /app/scripts/container/serve.py "$@"
fi

exec "$@"
