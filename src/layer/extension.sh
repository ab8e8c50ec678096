#!/bin/bash
# lambda-observe's extension (/opt/extensions/lambda-observe).
#
# Lambda sends SIGTERM to the runtime before it shuts an environment down only when an extension is
# registered; lambda-observe's SIGTERM hook then flushes, makes the final metrics push and deletes
# the environment's Pushgateway group. This extension registers for SHUTDOWN and waits, nothing
# else (the async-flush hold is registered by the runtime itself: src/layer/flush-hold.ts).
#
# Plain bash over its /dev/tcp, not node: Lambda starts the runtime only once every extension has
# registered, so this adds its start-up time to every cold start (bash: a few ms and ~3 MB; node:
# ~40 ms and ~7 MB of its own). Where bash cannot open TCP connections, the same in node.
name="${0##*/}"
api="${AWS_LAMBDA_RUNTIME_API:-127.0.0.1:9001}"
host="${api%:*}"
port="${api##*:}"

with_node() {
  # NODE_OPTIONS meant for the function (e.g. --require hooks) must not load into the extension.
  NODE_OPTIONS= exec "$(command -v node || echo /var/lang/bin/node)" \
    "${0%/extensions/*}/nodejs/node_modules/lambda-observe/dist/layer/extension.cjs" "$name"
}

# request METHOD PATH HEADER_LINES BODY: one HTTP/1.1 exchange on fd 3; sets $status and $extension_id.
request() {
  { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 2
  printf '%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "/2020-01-01/extension/$2" "$api" "$3" "${#4}" "$4" >&3
  status=""
  local line
  while IFS= read -r line <&3; do
    line="${line%$'\r'}"
    if [ -z "$status" ]; then status="${line#* }"; status="${status%% *}"; continue; fi
    [ -z "$line" ] && break
    case "${line,,}" in
      lambda-extension-identifier:*) extension_id="${line#*:}"; extension_id="${extension_id# }" ;;
    esac
  done
  exec 3<&-
  [ -n "$status" ]
}

extension_id=""
request POST register $'Lambda-Extension-Name: '"$name"$'\r\nContent-Type: application/json\r\n' '{"events":["SHUTDOWN"]}'
case $? in
  2) with_node ;;
esac
if [ "$status" != "200" ] || [ -z "$extension_id" ]; then
  echo "{\"level\":\"error\",\"logger\":\"lambda-observe.extension\",\"message\":\"registration failed (HTTP ${status:-none})\"}" >&2
  exit 1
fi

# SHUTDOWN is the only event we registered for: the first answer to `next` is it.
for attempt in 1 2 3 4 5; do
  request GET event/next $'Lambda-Extension-Identifier: '"$extension_id"$'\r\n' ''
  [ "$status" = "200" ] && exit 0
  sleep 0.05
done
exit 1
