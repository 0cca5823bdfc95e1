#!/usr/bin/env bash
# Start to ready, and what a young server spends compiling (issue 25, item 4): fresh Payara Micro servers
# started as bench/run.sh starts them, one per way of starting in turn (interleaved), for several rounds.
# Ways:
#   jar    java -jar payara-micro.jar: the runtime unpacked into a new temporary folder at each start
#   cds    bin/micro-cds start: a fixed root directory's launcher and the class-data-sharing archive that
#          bin/micro-cds make wrote in this run (what the Dockerfile runs)
#   WAY+OPTION+...  a way with more JVM options, e.g. cds+-XX:TieredStopAtLevel=1
# Per start: milliseconds from launch to /health/ready UP, the server's CPU seconds until then, and the
# WAR's deployment as Payara logs it ("... was successfully deployed in N milliseconds").
# With START_LOAD=<seconds>, each ready server then runs run.sh's warm-up load (the closed loop over
# START_CONNECTIONS) for that long, from the moment it is ready: the JIT compiler threads' share of the
# server's CPU in it; and a 20 s closed loop after it: the CPU per chat message of a server that has
# compiled most of what it will (steady state, to check that an option does not make that worse).
#
#   bench/start.sh [ways]      (default "jar cds"); START_ROUNDS (5), START_LOAD (0), START_CONNECTIONS (500),
#                              START_CDS (a folder bin/micro-cds made before, for the same build: no make)
#   BENCH_LOCK=/tmp/estate-it.lock bench/start.sh   builds first, then takes that lock for the measuring
# Environment as bench/run.sh (BENCH_PORT, BENCH_FROM_WORKTREE, BENCH_AMQP, BENCH_SERVER_OPTS). With
# BENCH_BASELINE=<revision> two WARs: each round starts every way for the baseline's WAR, then for this
# build's (A B A B ...; an archive made per WAR for cds). The archive is made only when a way is cds.
# Writes bench/target/run-<date>-smoke-start/start.md (a row per start) and the servers' logs beside it
# (server-[base-]<way>-r<round>.log); each start's embedded store is new.
set -euo pipefail
BENCH_TAG=${BENCH_TAG:-start}
# shellcheck source=bench/run.sh
source "$(dirname "$0")/run.sh" smoke
WAYS=${*:-jar cds}
ROUNDS=${START_ROUNDS:-5}
LOAD=${START_LOAD:-0}
MAX_CONN=${START_CONNECTIONS:-500}
FRESH_STORE=1
CDS=$RUN/cds

build
if [ -n "${BENCH_LOCK:-}" ]; then
  log "waiting for $BENCH_LOCK"
  exec 9> "$BENCH_LOCK"
  flock 9
fi
wait_quiet
NEED_CDS=0
for w in $WAYS; do [ "${w%%+*}" = cds ] && NEED_CDS=1; done
cds_dir() { [ "$BUILD" = base ] && echo "$RUN/base-cds" || echo "$CDS"; }   # the archive of $BUILD's WAR
if [ "$NEED_CDS" = 0 ]; then
  MAKE_S=
elif [ -n "${START_CDS:-}" ]; then
  CDS=$START_CDS MAKE_S="(made before)"
  [ "${#BUILDS[@]}" = 1 ] || { echo "bench/start.sh: START_CDS with BENCH_BASELINE (one archive, two WARs)" >&2; exit 2; }
else
  for b in "${BUILDS[@]}"; do
    use_build "$b"
    log "making the class-data-sharing archive for $BUILD_NAME (bin/micro-cds make)"
    started=$(date +%s%N)
    "$ROOT/bin/micro-cds" make "$(cds_dir)" "$RUN/$b/payara-micro.jar" "$RUN/$b/estate-chat.war" --contextroot / --nohazelcast --nocluster
    MAKE_S=$(awk -v n=$(( $(date +%s%N) - started )) 'BEGIN {printf "%.1f", n / 1e9}')
    log "archive made in $MAKE_S s: $(du -m "$(cds_dir)/classes.jsa" | cut -f1) MB"
  done
fi
deployed_ms() { grep -o 'deployed in [0-9,]* milliseconds' "$1" | tail -1 | tr -dc 0-9; }
SUMMARY=$RUN/start.md
if [ "$LOAD" -gt 0 ]; then
  echo "| round | build | way | launch → ready ms | server CPU s until ready | JIT share of the server's CPU, first ${LOAD} s | server CPU ms/msg (of it the JIT), first ${LOAD} s | msg/s | server CPU ms/msg (of it the JIT), 20 s after | msg/s |"
  echo "|---:|---|---|---:|---:|---:|---|---:|---|---:|"
else
  echo "| round | build | way | launch → ready ms | server CPU s until ready | deployed in (Payara's log) ms |"
  echo "|---:|---|---|---:|---:|---:|"
fi > "$SUMMARY"
share() { awk -v j="$(kv "$1" server_jit_cpu_ms_per_message)" -v a="$(kv "$1" server_cpu_ms_per_message)" 'BEGIN { if (a > 0) printf "%.2f", j / a }'; }
for r in $(seq 1 "$ROUNDS"); do
  for b in "${BUILDS[@]}"; do
  use_build "$b"
  for w in $WAYS; do
    base=${w%%+*}
    IFS=+ read -r -a SERVER_EXTRA <<< "${w#"$base"}"
    SERVER_EXTRA=("${SERVER_EXTRA[@]:1}")   # what came before the first +: nothing
    case $base in
      jar) SERVER_CDS= ;;
      cds) SERVER_CDS=$(cds_dir) ;;
      *) echo "bench/start.sh: unknown way $base (jar, cds)" >&2; exit 2 ;;
    esac
    tag=$(tr -c 'a-zA-Z0-9\n' - <<< "$w")-r$r
    stop_server
    start_server "$tag"
    deployed=$(deployed_ms "$RUN/server-$P$tag.log")
    cpu=$(awk -v t="$(cpu_ticks "$SERVER_PID")" -v hz="$HZ" 'BEGIN {printf "%.1f", t / hz}')
    young=; steady=
    if [ "$LOAD" -gt 0 ]; then
      young=$RUN/$tag-young-$r.txt steady=$RUN/$tag-steady-$r.txt
      generate "$tag-young-$r" --prefix "st$tag$r-" --connections "$MAX_CONN" --window 1 --warmup 0 --duration "$LOAD" --drain 5
      generate "$tag-steady-$r" --prefix "ss$tag$r-" --connections "$MAX_CONN" --window 1 --warmup 5 --duration 20 --drain 5
    fi
    if [ -n "$young" ]; then
      echo "| $r | $BUILD_NAME | $w | $READY_MS | $cpu | $(share "$young") | $(kv "$young" server_cpu_ms_per_message) ($(kv "$young" server_jit_cpu_ms_per_message)) | $(kv "$young" delivered_per_s) | $(kv "$steady" server_cpu_ms_per_message) ($(kv "$steady" server_jit_cpu_ms_per_message)) | $(kv "$steady" delivered_per_s) |"
    else
      echo "| $r | $BUILD_NAME | $w | $READY_MS | $cpu | $deployed |"
    fi >> "$SUMMARY"
    log "$(tail -1 "$SUMMARY")"
  done
  done
done
stop_server
use_build cur
{
  echo
  if [ "$LOAD" = 0 ] && [ "$NEED_CDS" = 1 ]; then
    # the classes a start loads, and how many the archive held: one more start, not timed (the log costs)
    SERVER_CDS=$CDS SERVER_EXTRA=(-Xlog:class+load:file="$RUN/classes.log")
    start_server classes
    stop_server
    echo "- a cds start loaded $(grep -c 'source: shared objects file' "$RUN/classes.log") of its $(wc -l < "$RUN/classes.log") classes from the archive"
  fi
  [ "$NEED_CDS" = 0 ] || echo "- archive: bin/micro-cds make in ${MAKE_S} s, $(du -m "$CDS/classes.jsa" | cut -f1) MB"
  setting_lines
} >> "$SUMMARY"
log "wrote $SUMMARY"
