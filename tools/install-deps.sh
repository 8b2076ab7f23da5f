#!/bin/sh
# Install fairdex's build and test dependencies on Debian 12 with apt-get,
# only when something is missing (so `make` stays quick and works offline
# once everything is there).  Needs root for the install step.
set -e
PKGS="meson ninja-build pkg-config gcc liblmdb-dev libraptor2-dev libserd-dev raptor2-utils \
libjansson-dev libmicrohttpd-dev libutf8proc-dev libstemmer-dev zlib1g-dev \
libxml2-dev libcurl4-gnutls-dev lmdb-utils nettle-dev curl jq"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: run as root, or install:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
