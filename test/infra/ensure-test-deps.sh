#!/usr/bin/env bash
# Runs before `npm test`: makes sure the native pieces the suites build at run time are present
# (a C compiler and librdkafka's headers, for the Kafka mock cluster helper). Installs them with
# apt-get when running as root on Debian; otherwise says loudly that Kafka suites will be skipped.
set -euo pipefail
need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/include/librdkafka/rdkafka_mock.h ] || need+=(librdkafka-dev)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[warden tests] installing ${need[*]} (needed to build the Kafka mock cluster)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "!!! [warden tests] missing ${need[*]}: the Kafka suites will be SKIPPED." >&2
  echo "!!! install them with: sudo apt-get install -y ${need[*]}" >&2
fi
