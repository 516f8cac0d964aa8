# The NLU image: Rasa 3.6 on Python 3.10 with our components, and a model trained at build
# time from nlu_data/train with config.yml, so the image is the model.
# Build from the repository root:
#   docker build -f deploy/docker/nlu.Dockerfile -t registry.example.com/wakala/nlu:0.1.0 .
FROM python:3.10-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    TF_CPP_MIN_LOG_LEVEL=2 \
    RASA_TELEMETRY_ENABLED=false

RUN useradd --uid 10001 --user-group --create-home wakala
WORKDIR /app

# The same steps as bot/nlu/environment.py, from the same lock file.
COPY requirements/rasa.lock requirements/rasa.lock
RUN pip install "pip<25" && pip install -r requirements/rasa.lock

COPY . .
RUN python -m rasa train nlu --config config.yml --nlu nlu_data/train \
        --out models --fixed-model-name nlu --quiet \
    && test -f models/nlu.tar.gz \
    && rm -rf .rasa

USER 10001:10001
EXPOSE 5005
CMD ["python", "-m", "bot.nlu.rasa.service", "--model", "models/nlu.tar.gz", \
     "--host", "0.0.0.0", "--port", "5005"]
