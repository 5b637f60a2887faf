# The relay as a container: `relay serve` as a non-root user, data dir on a volume.
#   docker build -t relay .
#   docker run -p 127.0.0.1:8080:8080 -v relay-data:/data relay
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    RELAY_DATA_DIR=/data

# ffmpeg remuxes audio and video attachments (without it they are refused);
# prlimit (util-linux, already in the base image) bounds the cleaners' children.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin relay

WORKDIR /app
COPY pyproject.toml README.md ./
COPY relay ./relay
COPY scrubber ./scrubber
COPY forwarders ./forwarders
COPY keys ./keys
RUN pip install . && rm -rf /app

RUN mkdir -m 0700 /data && chown relay:relay /data
VOLUME ["/data"]
USER relay
WORKDIR /data
EXPOSE 8080

# `relay init` only creates what is missing (it never overwrites keys), so
# every start is safe; the port is published on loopback or behind Tor.
CMD ["sh", "-c", "relay init && exec relay serve --host 0.0.0.0 --port 8080"]
