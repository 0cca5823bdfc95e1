#!/usr/bin/env bash
# What a second node costs (issue 23, item 4): bench/run.sh's closed loop (step_max's, the generator's
# window of one message per connection) in three shapes, each on fresh servers warmed as run.sh warms
# them, in one run:
#   one     one node;
#   rr      two Payara Micro nodes on the same broker, each user's connections spread round robin over
#           both (connection k to node k % 2: a user's two devices on different nodes), no routing rule,
#           chat.cluster.fan-out=true (the default): the holder node copies each delivery to the other;
#   sticky  two nodes, all of a user's connections on one of them (a hash of its id),
#           chat.cluster.fan-out=false.
# Every user has BENCH_DEVICES connections (2), each of which gets every message (the generator counts
# a message a device missed in fanout_missing) and acks it; the sending connection sends its next
# message once either of its user's devices has the `delivered` receipt. Per shape: messages/s, the
# server CPU per chat message on each node and summed, the broker's, p99 latency (to the first device
# and to every device); each node profiled with JFR over the measured window.
#
#   bench/cluster.sh           full sizes of run.sh (1,000 connections, 120 s warm-up, 30 s window): ~20 min
#   bench/cluster.sh smoke     small and short (100 connections, 8 s warm-up, 10 s window): ~5 min
#
# Environment: as bench/run.sh (BENCH_PORT: the first node, the second on BENCH_PORT+1; BENCH_WARM_SECONDS,
# BENCH_SERVER_OPTS, BENCH_FROM_WORKTREE, BENCH_RESULTS, BENCH_QUIET_WAIT), and
#   BENCH_DEVICES   connections per user (2)
#   BENCH_SHAPES    the shapes, in order ("one rr sticky")
#   BENCH_ROUNDS    how many times each shape runs, interleaved (1)
# Under flock (as the CI suite's runs are), set BENCH_QUIET_WAIT=0: the commands waiting for the lock look
# like tests to run.sh's wait for a quiet machine, which would wait for them in vain.
# Writes bench/results/<date>-cluster[-smoke].md; raw output under bench/target/run-<date>-<mode>-cluster/.
set -euo pipefail
BENCH_TAG=${BENCH_TAG:-cluster}
# shellcheck source=bench/run.sh
source "$(dirname "$0")/run.sh" "${1:-full}"
RESULTS=${BENCH_RESULTS:-$BENCH/results/$STAMP-cluster$([ "$MODE" = smoke ] && echo -smoke || true).md}
DEVICES=${BENCH_DEVICES:-2}
SHAPES=${BENCH_SHAPES:-one rr sticky}
ROUNDS=${BENCH_ROUNDS:-1}
FRESH_STORE=1

shape_nodes() { [ "$1" = one ] && echo 1 || echo 2; }
shape_routing() { [ "$1" = sticky ] && echo sticky || echo round-robin; }
shape_fan_out() { [ "$1" = sticky ] && echo false || echo true; }
run_name() { echo "max-$1$([ "$2" -gt 1 ] && echo "-$2" || true)"; }   # shape round

shape() {   # shape round: fresh servers, warmed, then the measured closed loop, profiled
  local name; name=$(run_name "$1" "$2")
  local urls= i
  NODES=$(shape_nodes "$1")
  for i in $(seq 1 "$NODES"); do urls+="${urls:+,}ws://127.0.0.1:$((PORT + i - 1))/ws"; done
  SERVER_EXTRA=(-Dchat.cluster.fan-out="$(shape_fan_out "$1")")
  GEN_EXTRA=(--urls "$urls" --routing "$(shape_routing "$1")" --devices "$DEVICES")
  PROFILED=$name
  fresh_server "$name"
  profile_start "$name"
  generate "$name" --prefix "$name-" --connections "$MAX_CONN" --window 1 --warmup "$WARMUP" --duration "$WINDOW" --drain 30
  profile_stop "$name"
  stop_server
}

wait_quiet
build
use_build cur
for r in $(seq 1 "$ROUNDS"); do
  for s in $SHAPES; do shape "$s" "$r"; done
done

# ---- the results file
node_ms() {   # file node (1, 2; for one node: the server's) key suffix: ms per message
  local k=server$2; [ "$(kv "$1" server1_cores)" ] || k=server
  kv "$1" "${k}_$3"
}
sum_ms() {   # file key-suffix: the servers' ms per message, summed
  awk -v a="$(node_ms "$1" 1 "$2")" -v b="$([ "$(kv "$1" server1_cores)" ] && node_ms "$1" 2 "$2" || echo 0)" \
    'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.2f", a + b; else print "?" }'
}
row() {   # shape round
  local n; n=$(run_name "$1" "$2"); local f=$RUN/$n.txt
  [ -f "$f" ] || return 0
  local per_node="$(kv "$f" node1_connections)$([ "$(kv "$f" node2_connections)" ] && echo " / $(kv "$f" node2_connections)" || true)"
  local node2='–'
  [ "$(kv "$f" server1_cores)" ] && node2="$(node_ms "$f" 2 cpu_ms_per_message) ($(node_ms "$f" 2 jit_cpu_ms_per_message))"
  echo "| $n | $(shape_nodes "$1") | $(shape_routing "$1") | $(shape_fan_out "$1") | $per_node | $(kv "$f" users) × $(kv "$f" devices) | **$(kv "$f" received_per_s)** / $(kv "$f" delivered_per_s) | $(kv "$f" e2e_p50_ms) / **$(kv "$f" e2e_p99_ms)** | $(kv "$f" device_e2e_p99_ms) | $(node_ms "$f" 1 cpu_ms_per_message) ($(node_ms "$f" 1 jit_cpu_ms_per_message)) | $node2 | **$(sum_ms "$f" cpu_ms_per_message)** ($(sum_ms "$f" jit_cpu_ms_per_message)) | **$(kv "$f" broker_cpu_ms_per_message)** | $(kv "$f" broker_cores) | $(kv "$f" errors) / $(kv "$f" lost) / $(kv "$f" fanout_missing) / $(kv "$f" duplicates) | $(kv "$f" machine_busy_pct) % |"
}
against() {   # round: round robin's summed server CPU per message against sticky's, with and without the JIT
  local rr=$RUN/$(run_name rr "$1").txt st=$RUN/$(run_name sticky "$1").txt
  [ -f "$rr" ] && [ -f "$st" ] || return 0
  awk -v a="$(sum_ms "$rr" cpu_ms_per_message)" -v b="$(sum_ms "$st" cpu_ms_per_message)" \
      -v ja="$(sum_ms "$rr" jit_cpu_ms_per_message)" -v jb="$(sum_ms "$st" jit_cpu_ms_per_message)" -v r="$1" 'BEGIN {
    if (b + 0 <= 0 || a !~ /^[0-9.]+$/) { print "- round " r ": no comparison (a shape measured nothing)"; exit }
    printf "- round %s: round robin %.2f ms against sticky %.2f ms of server CPU per chat message: **%+.0f %%** (target: at most +25 %%)", r, a, b, 100 * (a - b) / b
    if (ja ~ /^[0-9.]+$/ && jb ~ /^[0-9.]+$/ && b - jb > 0) printf "; without the JIT compiler threads %.2f against %.2f: %+.0f %%", a - ja, b - jb, 100 * ((a - ja) - (b - jb)) / (b - jb)
    print "" }'
}
{
  echo "# Cost of a second node, $STAMP ($MODE)"
  echo
  setting_lines
  echo "- load: bench/run.sh's closed loop, $MAX_CONN connections ($((MAX_CONN / DEVICES)) users × $DEVICES devices; each message to the next user, so to its $DEVICES devices), one message in flight per connection, ${SIZE}-character messages; warm-up ${WARM_SECONDS} s on each fresh server, then ${WARMUP} s, then a ${WINDOW} s measurement window"
  echo
  echo "Each shape on fresh servers, the conversation store embedded (H2) in each node. msg/s: chat messages that reached their recipient (the first of its devices) / that came back \`delivered\` in the window. CPU: each process's CPU time over the window divided by those messages (in brackets the JIT compiler threads' part); the servers' summed. p99 to every device: send → each device's own arrival. errors / lost / fanout_missing (a message some device of its recipient never got) / duplicates."
  echo
  echo "| run | nodes | routing | fan-out | connections per node | users × devices | msg/s received / delivered | send→receive p50 / p99 ms | p99 to every device ms | node 1 CPU ms/msg (JIT) | node 2 CPU ms/msg (JIT) | servers' CPU ms/msg (JIT) | broker CPU ms/msg | broker cores | errors / lost / fanout missing / duplicates | machine busy |"
  echo "|---|---:|---|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|"
  for r in $(seq 1 "$ROUNDS"); do for s in $SHAPES; do row "$s" "$r"; done; done
  echo
  for r in $(seq 1 "$ROUNDS"); do against "$r"; done
  for s in $SHAPES; do   # round 1's; every round's in the raw folder
    for top in "$RUN/$(run_name "$s" 1)"-top.md "$RUN/$(run_name "$s" 1)"-node*-top.md; do
      [ -s "$top" ] || continue
      echo
      echo "### Profile: $(basename "$top" -top.md), the 15 hottest methods (JFR execution samples over the window)"
      echo
      head -19 "$top"
    done
  done
  echo
  echo "Reproduce: \`bench/cluster.sh${MODE:+ $MODE}\` (raw output in \`bench/target/$(basename "$RUN")/\`)."
} > "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
log "wrote $RESULTS"
