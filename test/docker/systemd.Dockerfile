# Test-only: the netmon image with systemd as PID 1 and netmon.service enabled, so that
# test/docker/smoke.sh can run the unit, with its sandboxing, under a real systemd. Beside
# it (test/docker/systemd/): a consumer unit ordered after netmon.service and a drop-in
# that slows netmon's first snapshot, for the readiness check.
ARG IMAGE
FROM ${IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends systemd \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb
COPY netmon.service netmon-consumer.service /etc/systemd/system/
COPY slow-ip.conf /etc/systemd/system/netmon.service.d/slow-ip.conf
COPY ip /opt/netmon-test/ip
# Only what this container needs: no udev, gettys or logind.
RUN systemctl enable netmon.service netmon-consumer.service \
 && systemctl mask systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
      getty.target console-getty.service systemd-logind.service
STOPSIGNAL SIGRTMIN+3
HEALTHCHECK NONE
ENTRYPOINT ["/lib/systemd/systemd"]
CMD []
