# A Patroni member for docker-compose.yml's cluster profile: the official PostgreSQL 15 image
# (Debian 12) with Debian's Patroni, the same packages scripts/cluster runs on a machine.
FROM postgres:15-bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends patroni python3-etcd \
 && rm -rf /var/lib/apt/lists/*
COPY patroni.yml /etc/patroni.yml
USER postgres
# PATRONI_NAME and the addresses come from the service's environment (Patroni reads PATRONI_*).
ENTRYPOINT ["/usr/bin/patroni", "/etc/patroni.yml"]
