# The s2-emulator image: the `s2-emulator` CLI on Node.js, as a non-root user, listening on 0.0.0.0:4243.
#
# The build context is assembled from the built package and its runtime dependencies, so the build
# itself needs no network (nothing is installed in it):
#   npm run image                          from a checkout (`-- --context DIR` only writes the context)
#   new S2EmulatorContainer().start()      the Testcontainers module, from an installed package
# Context: this Dockerfile, app/ (the package's files with node_modules/ holding its runtime
# dependencies) and data/ (empty: the directory --persist writes to).
#
# BASE_IMAGE: any image with Node.js >= 22.15 on its PATH as `node`. No shell or package manager
# is needed in it: there is no RUN step.
ARG BASE_IMAGE=node:24-alpine
FROM ${BASE_IMAGE}

COPY app/ /app/
# uid 1000 is `node` in the official images; a numeric id needs no /etc/passwd entry.
COPY --chown=1000:1000 data/ /data/
USER 1000:1000
WORKDIR /data

# Every option is an S2E_* variable (see `s2-emulator --help`); flags given as the command win.
ENV NODE_ENV=production S2E_HOST=0.0.0.0 S2E_PORT=4243
EXPOSE 4243
# Docker before 25 has no --start-interval, so the first check runs `interval` after the start;
# the Testcontainers module and compose users can wait on /health themselves to be quicker.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["node", "/app/docker/healthcheck.mjs"]
# SIGTERM (docker stop) makes the emulator close its connections and, with S2E_PERSIST, save its state.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/docker/entrypoint.mjs"]
