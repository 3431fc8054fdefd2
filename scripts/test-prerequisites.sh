#!/usr/bin/env bash
# Before `npm test`: the suite uses real servers and a real browser (PostgreSQL 15, dovecot IMAP, chromium). On a
# fresh Debian machine where we are root, install the missing ones; elsewhere say what is missing and carry on
# (those tests then report themselves skipped or tell how to install).
set -u
missing=()
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test prerequisites: installing ${missing[*]} (Debian packages)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "test prerequisites: could not install ${missing[*]}; the tests that need them will say so."
else
  echo "test prerequisites: missing ${missing[*]}: install them (e.g. sudo apt-get install ${missing[*]}) for the whole suite."
fi
exit 0
