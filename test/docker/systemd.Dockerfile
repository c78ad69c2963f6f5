# Test-only: the netmon image with systemd as PID 1 and netmon.service enabled, so that
# test/docker/smoke.sh can run the unit, with its sandboxing, under a real systemd.
ARG IMAGE
FROM ${IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends systemd \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb
COPY netmon.service /etc/systemd/system/netmon.service
# Only what this container needs: no udev, gettys or logind.
RUN systemctl enable netmon.service \
 && systemctl mask systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
      getty.target console-getty.service systemd-logind.service
STOPSIGNAL SIGRTMIN+3
HEALTHCHECK NONE
ENTRYPOINT ["/lib/systemd/systemd"]
CMD []
