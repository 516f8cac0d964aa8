# The app image: gateway, worker, sender, actions, admin and the `wakala` CLI (Python 3.11).
# Build from the repository root:
#   docker build -f deploy/docker/app.Dockerfile -t registry.example.com/wakala/app:0.1.0 .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --uid 10001 --user-group --create-home wakala
WORKDIR /app

# Dependencies first, from the lock file, so a code change does not reinstall them.
COPY requirements/app.lock requirements/app.lock
RUN pip install -r requirements/app.lock

COPY . .
# Editable, as scripts/bootstrap.sh does: the app reads domain.yml, config.yml and
# dialogue/flows/ next to its packages (bot/settings.py: PROJECT_DIR).
RUN pip install --no-deps -e .

USER 10001:10001
EXPOSE 8000 5055 8002 9100
ENTRYPOINT ["wakala"]
CMD ["run", "--json-logs"]
