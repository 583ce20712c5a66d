# storywatch worker image. Build: docker build -t storywatch .
# Run:   docker run -e STORYWATCH_DB=postgresql://user:pw@db/storywatch storywatch
# Scale: start as many containers as you like against one PostgreSQL database.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY storywatch ./storywatch
RUN python -m venv /opt/storywatch \
    && /opt/storywatch/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/storywatch/bin/pip install --no-cache-dir .

FROM python:3.11-slim
COPY --from=build /opt/storywatch /opt/storywatch
RUN useradd --system --create-home --home-dir /data storywatch
USER storywatch
WORKDIR /data
ENV PATH=/opt/storywatch/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    STORYWATCH_DB=sqlite:////data/storywatch.db
VOLUME ["/data"]
# `docker stop` sends SIGTERM and waits 10 s by default: use `docker stop -t 40` (or
# stop_grace_period in compose) so in-flight checks can finish within --grace.
STOPSIGNAL SIGTERM
ENTRYPOINT ["storywatch"]
CMD ["run", "--log-format", "json", "--grace", "30s"]
