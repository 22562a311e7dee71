# Fugong in a container: a static binary (pure-Go SQLite, no cgo) on a distroless base.
# The web UI is already built into frontend/dist and embedded, so the build needs only Go.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/fugong . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fugong /fugong
COPY --from=build --chown=65532:65532 /out/data /data
# Metrics and profiling (/debug/pprof) answer on the container's loopback only: a profile or a
# trace is no one's business outside it. A deployment that scrapes from outside sets
# FUGONG_METRICS_ADDR=:9091 on purpose, on a network only its Prometheus reaches.
ENV FUGONG_ADDR=:8080 \
    FUGONG_METRICS_ADDR=127.0.0.1:9091 \
    FUGONG_DATA_DIR=/data \
    FUGONG_DATABASE_URL=sqlite:/data/fugong.db
VOLUME /data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/fugong"]
CMD ["serve"]
