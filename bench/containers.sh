#!/usr/bin/env bash
# What the container costs (issue 25, item 1): the same WAR on Payara Micro (Tyrus on Grizzly, the
# default) and on WildFly (Undertow, standalone-microprofile.xml), one after the other in one run, each
# round in both containers, every step on a fresh server:
#   start   process start to /health/ready;
#   max     bench/run.sh's closed loop (step_max's, without its open loop at 90 %), warmed as run.sh
#           warms, profiled with JFR: msg/s, server and broker CPU per chat message, p99;
#   storm   every user connecting at once on a server just started: until all are `connected`, and the
#           server's and broker's CPU per connection;
#   idle    connections held: live heap and RSS per connection, and the classes that grew.
# So an operator can choose: what each container costs per connection and per message.
#
#   bench/containers.sh          full sizes of run.sh (1,000 connections, 2,000-user storm, 10,000 idle): ~25 min
#   bench/containers.sh smoke    small and short: ~8 min
#
# Environment: as bench/run.sh (BENCH_PORT, BENCH_WARM_SECONDS, BENCH_SERVER_OPTS, BENCH_FROM_WORKTREE,
# BENCH_SRC, BENCH_RESULTS, BENCH_QUIET_WAIT, BENCH_STORM, BENCH_IDLE), and
#   BENCH_CONTAINERS  the containers, in order ("payara-micro wildfly")
#   BENCH_ROUNDS      how many times each runs, interleaved (1)
# Writes bench/results/<date>-containers[-smoke].md; raw output under bench/target/run-<date>-<mode>-containers/.
set -euo pipefail
BENCH_TAG=${BENCH_TAG:-containers}
# shellcheck source=bench/run.sh
source "$(dirname "$0")/run.sh" "${1:-full}"
RESULTS=${BENCH_RESULTS:-$BENCH/results/$STAMP-containers$([ "$MODE" = smoke ] && echo -smoke || true).md}
CONTAINERS=${BENCH_CONTAINERS:-payara-micro wildfly}
ROUNDS=${BENCH_ROUNDS:-1}
IDLE_N=${IDLE%% *}   # the first of run.sh's idle counts

in_container() {   # container round: what the steps start, their raw files' and users' prefixes
  CONTAINER=$1; P=$1-$2-; U=${1:0:1}$2
}
measure() {   # container round
  in_container "$1" "$2"
  PROFILED=max
  fresh_server max
  profile_start max
  generate max --prefix "${U}max-" --connections "$MAX_CONN" --window 1 --warmup "$WARMUP" --duration "$WINDOW" --drain 30
  profile_stop max
  stop_server
  start_server storm
  storm storm-cold "$STORM"
  stop_server
  start_server idle
  idle "$IDLE_N"
  stop_server
}

wait_quiet
build
use_build cur
for r in $(seq 1 "$ROUNDS"); do
  for c in $CONTAINERS; do measure "$c" "$r"; done
done

# ---- the results file
row() {   # container round
  in_container "$1" "$2"
  local m=$RUN/${P}max.txt s=$RUN/${P}storm-cold.txt i=$RUN/${P}idle-$IDLE_N.txt
  echo "| $1 | $2 | $(kv "$RUN/${P}storm-start.txt" ready_seconds) | $(kv "$i" heap_per_connection_kb) | $(kv "$i" rss_per_connection_kb) | $(kv "$s" storm_greeted) / $(kv "$s" storm_connections) | **$(kv "$s" storm_all_ms)** | $(kv "$s" server_cpu_ms_per_connection) | $(kv "$s" broker_cpu_ms_per_connection) | **$(kv "$m" received_per_s)** | **$(kv "$m" server_cpu_ms_per_message)** ($(kv "$m" server_jit_cpu_ms_per_message)) | $(kv "$m" broker_cpu_ms_per_message) | $(kv "$m" e2e_p50_ms) / $(kv "$m" e2e_p99_ms) | $(kv "$m" errors) / $(kv "$m" lost) | $(kv "$m" machine_busy_pct) % |"
}
{
  echo "# What the container costs, $STAMP ($MODE)"
  echo
  setting_lines | sed "s/^- server: [^,]*/- servers: $(for c in $CONTAINERS; do CONTAINER=$c server_name; done | paste -sd/ | sed 's:/: and :g')/"
  echo "- steps, each on a fresh server: start to ready (the storm's server); the closed loop over $MAX_CONN connections (warm-up ${WARM_SECONDS} s, then ${WARMUP} s, then a ${WINDOW} s window); $STORM users connecting at once on a server just started; $IDLE_N idle connections held (live heap from \`jmap -histo:live\` against the empty server)"
  echo
  echo "CPU: each process's CPU time over the window divided by the chat messages received in it (in brackets the JIT compiler threads' part), or over the storm divided by its connections."
  echo
  echo "| container | round | start to ready s | heap per idle connection KB | RSS per connection KB | storm greeted | storm, all connected ms | storm server CPU ms/conn | storm broker CPU ms/conn | closed loop msg/s | server CPU ms/msg (JIT) | broker CPU ms/msg | send→receive p50 / p99 ms | errors / lost | machine busy |"
  echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|"
  for r in $(seq 1 "$ROUNDS"); do for c in $CONTAINERS; do row "$c" "$r"; done; done
  for c in $CONTAINERS; do   # round 1's; every round's in the raw folder
    in_container "$c" 1
    if [ -s "$RUN/${P}idle-$IDLE_N-classes.md" ]; then
      echo
      echo "### $c: what an idle connection holds, the classes that grew most (bytes and objects per connection)"
      echo
      echo "| bytes | objects | class |"
      echo "|---:|---:|---|"
      head -12 "$RUN/${P}idle-$IDLE_N-classes.md"
    fi
    if [ -s "$RUN/${P}max-top.md" ]; then
      echo
      echo "### $c: the 15 hottest methods in the closed loop (JFR execution samples over the window)"
      echo
      head -19 "$RUN/${P}max-top.md"
    fi
  done
  echo
  echo "Reproduce: \`bench/containers.sh${MODE:+ $MODE}\` (raw output in \`bench/target/$(basename "$RUN")/\`)."
} > "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
log "wrote $RESULTS"
