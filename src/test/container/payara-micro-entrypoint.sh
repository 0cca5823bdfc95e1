#!/bin/sh
# The stand-in payara/micro image's entrypoint: Payara Micro with the container's arguments.
set -e
exec java -XX:MaxRAMPercentage="${MEM_MAX_RAM_PERCENTAGE}" -Xss"${MEM_XSS}" -XX:+UseContainerSupport ${JVM_ARGS} \
  -jar payara-micro.jar "$@"
