#!/bin/sh
# Debian packages the tests need beyond Python: the PostgreSQL and Redis servers they talk to,
# Chromium for the browser tests, a Unicode font and FriBidi for printing non-Latin tickets,
# espeak-ng for the spoken announcements.
# Installs only what is missing, and only where apt-get can (as root); otherwise it says what to install.
set -eu
missing=""
command -v pg_ctlcluster >/dev/null 2>&1 || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$missing fonts-dejavu-core"
ldconfig -p 2>/dev/null | grep -q libfribidi || missing="$missing libfribidi0"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
else
    echo "Please install:$missing (tests needing them are skipped outside CI)" >&2
fi
