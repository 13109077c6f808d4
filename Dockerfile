# One image for every Kyodo process (gateway, services, later the relay and worker).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services ./services
COPY gateway ./gateway
COPY kyodo ./kyodo
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 kyodo
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER kyodo
WORKDIR /home/kyodo
ENV KYODO_DATA_DIR=/home/kyodo/data KYODO_LOG_FORMAT=json
EXPOSE 8000
CMD ["kyodo", "serve", "--host", "0.0.0.0", "--port", "8000"]
