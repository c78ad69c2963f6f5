# Test-only stand-in for node:22-bookworm-slim, built by test/docker/smoke.sh and platforms.sh where no
# container registry is reachable: a debootstrap'd Debian bookworm (imported as
# netmon-base-os:<arch>, one per platform) plus node and npm from the npm registry, laid
# out as the official node image lays them out (/usr/local/bin/node, /usr/local/bin/npm).
ARG BASE_OS=netmon-base-os:amd64
FROM ${BASE_OS}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /usr/local/share/netmon-smoke/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
# The host's CA bundle, so that node and npm inside the build trust what the host trusts.
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_EXTRA_CA_CERTS=/usr/local/share/netmon-smoke/ca-certificates.crt \
    npm_config_cafile=/usr/local/share/netmon-smoke/ca-certificates.crt \
    npm_config_update_notifier=false
CMD ["node"]
