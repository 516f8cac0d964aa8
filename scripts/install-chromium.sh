#!/usr/bin/env bash
# The browser tests (tests/browser/) drive the web simulator in Debian's headless Chromium.
# Install chromium and chromium-driver when they are missing; cheap when they are there.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error[WAK002]: the browser tests need Chromium and ChromeDriver; install them with your" >&2
    echo "               package manager (Debian: apt-get install chromium chromium-driver)." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "error[WAK002]: the browser tests need Chromium; as root run:" >&2
        echo "               apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi

echo "==> installing chromium and chromium-driver for the browser tests (once)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
