#!/bin/sh
# Installs what the web page's browser tests need (internal/webui, TestPageInBrowser*): Chromium
# from Debian's packages (package chromium, /usr/bin/chromium), which chromedp drives headless.
# CI runs it as root before the tests, so the tests neither skip nor install anything.
#
# Pinned as far as apt allows: it installs CHROMIUM_VERSION, the version the tests were written
# against, while Debian's archive still has it. Debian's security archive keeps only the latest
# chromium of a release (each update replaces the last within weeks), so when the pinned version
# is gone it installs the release's current one and says so: the tests use only the DevTools
# protocol's stable domains. An installed chromium of the pinned version is left as it is.
set -eu

CHROMIUM_VERSION=${CHROMIUM_VERSION:-156.0.8078.114-1~deb12u1}

installed() { dpkg-query -W -f '${Version}' chromium 2>/dev/null || true; }

if [ "$(installed)" = "$CHROMIUM_VERSION" ] && [ -x /usr/bin/chromium ]; then
	echo "install-chromium: chromium $CHROMIUM_VERSION is installed" >&2
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-chromium: run as root (apt-get install chromium=$CHROMIUM_VERSION), or install Debian's chromium package" >&2
	[ -x /usr/bin/chromium ] && exit 0 # another version is there: the tests use it
	exit 1
fi
command -v apt-get >/dev/null 2>&1 || { echo "install-chromium: apt-get not found: install Chromium at /usr/bin/chromium by hand" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; an update is what makes the package visible.
apt-get update -qq >&2
if apt-cache madison chromium | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep -qxF "$CHROMIUM_VERSION"; then
	echo "install-chromium: installing chromium $CHROMIUM_VERSION from Debian's packages" >&2
	apt-get install -y -qq --no-install-recommends --allow-downgrades "chromium=$CHROMIUM_VERSION" >&2
elif [ -x /usr/bin/chromium ]; then
	echo "install-chromium: NOTICE: chromium $CHROMIUM_VERSION is no longer in Debian's archive; keeping the installed $(installed)" >&2
else
	echo "install-chromium: NOTICE: chromium $CHROMIUM_VERSION is no longer in Debian's archive; installing the release's current one" >&2
	apt-get install -y -qq --no-install-recommends chromium >&2
fi
/usr/bin/chromium --version 2>/dev/null
