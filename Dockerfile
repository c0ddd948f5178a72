# Community Value Charters: gunicorn serving Django, static files served by WhiteNoise.
# docker-compose.yml runs the same image as the web service, the Celery worker and beat.

# --- Front-end assets: GOV.UK Frontend compiled with our Sass settings, htmx ------------------------------------
FROM node:20-slim AS static
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/build_static.sh scripts/
COPY static/src static/src
RUN bash scripts/build_static.sh

# --- The application -------------------------------------------------------------------------------------------
FROM python:3.12-slim-bookworm

# PYTHONPATH: import the project from /app rather than site-packages, so that settings find templates/, static/
# and accounts/data/ beside config/ (`pip install .` is there for the entry points; the dependencies come from the lock).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# Pango and HarfBuzz for WeasyPrint (PDFs), and fonts for it to render with (the image has none).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app

WORKDIR /app
# The pinned, hashed versions first (a layer that changes only with the lock), then the project without deps.
COPY requirements/app.txt requirements/app.txt
RUN pip install --require-hashes -r requirements/app.txt
COPY . .
RUN pip install --no-deps . && rm -rf build *.egg-info
COPY --from=static /app/static/build static/build

# The dummy key only lets settings load: collectstatic needs no secrets and writes no database.
RUN SECRET_KEY=collectstatic-only-not-a-real-secret python manage.py collectstatic --noinput \
    && mkdir -p media private_media \
    && chown app:app media private_media

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--forwarded-allow-ips=*"]
