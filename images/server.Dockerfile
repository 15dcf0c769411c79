# drover-server with every plugin (links to the one binary, built with the
# bundle tag), FROM scratch. scripts/images.sh assembles the context:
# rootfs/ (the binary, CA certificates, /etc/passwd) and an empty data/.
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="drover-server" org.opencontainers.image.version="${VERSION}"
COPY rootfs/ /
COPY --chown=1000:1000 data/ /var/lib/drover/
# No local runner: the image has no git to clone with; run drover-runner's
# image beside it.
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    HOME=/var/lib/drover \
    DROVER_HTTP_ADDR=0.0.0.0:8080 \
    DROVER_DATA_DIR=/var/lib/drover \
    DROVER_PLUGIN_DIR=/usr/local/bin \
    DROVER_RUNNER_CAPACITY=0
USER 1000:1000
WORKDIR /var/lib/drover
VOLUME ["/var/lib/drover"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/drover-server"]
