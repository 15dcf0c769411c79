# drover-runner with the engine plugins (links to the one binary, built with
# the bundle tag, which is also git's http(s) helper), Debian's git and sh, their
# shared libraries and loader, FROM scratch. scripts/images.sh assembles
# the context: rootfs/ and an empty data/.
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="drover-runner" org.opencontainers.image.version="${VERSION}"
COPY rootfs/ /
COPY --chown=1000:1000 data/ /var/lib/drover-runner/
# `register` writes the configuration (with the runner token) into the
# volume, `run` (the default command) reads it.
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    HOME=/var/lib/drover-runner \
    DROVER_RUNNER_CONFIG=/var/lib/drover-runner/runner.toml
USER 1000:1000
WORKDIR /var/lib/drover-runner
VOLUME ["/var/lib/drover-runner"]
ENTRYPOINT ["/usr/local/bin/drover-runner"]
CMD ["run"]
