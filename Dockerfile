# Hepatica web app, JSON API and CDS Hooks service (`hepatica serve`).
#
#   docker build -t hepatica .
#   docker run --rm -p 8080:8080 -v hepatica-data:/var/lib/hepatica hepatica
#
# Two stages: the Rust toolchain builds the binary; the runtime is distroless
# (glibc and CA certificates only, no shell, no package manager), running as
# the unprivileged `nonroot` user (65532). The knowledge base is embedded in
# the binary, so the image needs no content files. See docs/deploy.md.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p hepatica-cli \
    && install -D -m 0755 target/release/hepatica /out/hepatica \
    && install -d -o 65532 -g 65532 -m 0700 /out/data

# A static busybox, only for the HEALTHCHECK's `wget` (distroless has no shell or HTTP client).
FROM busybox:1.37-musl AS probe

FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="hepatica" \
      org.opencontainers.image.description="Treatment options for secondary cancer in the liver: an information aid to discuss with the care team" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
COPY --from=build /out/hepatica /usr/local/bin/hepatica
COPY --from=build --chown=65532:65532 /out/data /var/lib/hepatica
COPY --from=probe /bin/busybox /usr/local/bin/busybox
ENV HEPATICA_ADDR=0.0.0.0:8080 \
    HEPATICA_DATA_DIR=/var/lib/hepatica
USER 65532:65532
EXPOSE 8080
VOLUME ["/var/lib/hepatica"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/hepatica"]
CMD ["serve"]
