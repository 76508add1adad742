#!/bin/sh
# Installs what the web page's browser test needs (internal/webui, TestPageInBrowser): Chromium
# from Debian's packages (package chromium, /usr/bin/chromium), which chromedp drives headless.
# CI runs it as root before the tests, so the test neither skips nor installs. It does nothing
# when /usr/bin/chromium exists.
#
# Not pinned to one version: Debian's security archive replaces chromium with every release (an
# exact version would stop installing within weeks); the test was written against 156.0.8078.114
# (bookworm-security) and uses only the DevTools protocol's stable domains.
set -eu

if [ -x /usr/bin/chromium ]; then
	/usr/bin/chromium --version 2>/dev/null || true
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-chromium: run as root (apt-get install chromium), or install Debian's chromium package" >&2
	exit 1
fi
command -v apt-get >/dev/null 2>&1 || { echo "install-chromium: apt-get not found: install Chromium at /usr/bin/chromium by hand" >&2; exit 1; }

echo "installing Chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; an update is what makes the package visible.
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2
/usr/bin/chromium --version
