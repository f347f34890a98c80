#!/usr/bin/env bash
# Installs Chromium from Debian's packages for the chat page's browser test
# (e2e/chat-page.e2e.test.ts drives it with playwright-core, whose own browser download cannot
# work here). Prints the browser's path on stdout. Idempotent: a second run only checks.
#
#   scripts/provision/chromium.sh
source "$(dirname "$0")/../lib/common.sh"

CHROMIUM=/usr/bin/chromium
if [[ ! -x "$CHROMIUM" ]]; then
  [[ $EUID == 0 ]] || die "Chromium is missing; install it: sudo apt-get install -y --no-install-recommends chromium"
  say "installing Debian's chromium for the browser test (a few minutes the first time)" >&2
  run_logged "apt-get update" "$CACHE_ROOT/build/apt-update.log" apt-get update >&2
  DEBIAN_FRONTEND=noninteractive run_logged "apt-get install chromium" "$CACHE_ROOT/build/apt-chromium.log" \
    apt-get install -y --no-install-recommends chromium fonts-dejavu-core >&2
fi
"$CHROMIUM" --version >&2
echo "$CHROMIUM"
