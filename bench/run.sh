#!/usr/bin/env bash
# The whole benchmark of issue 6 in one command, on one machine:
#   (a) RabbitMQ's own ceiling with PerfTest (persistent, confirms, manual acks, one queue per user);
#   (b) the chat server on Payara Micro against the same broker, driven by bench's LoadGenerator:
#       latency at a fixed 1,000 msg/s over 2,000 connections, the highest closed-loop rate with
#       zero errors (profiled with JFR), and idle connections held with heap and RSS per connection.
# Writes bench/results/<date>.md (and raw files under bench/target/run-<date>/).
#
#   bench/run.sh           the full run (about 10 minutes once the machine is quiet)
#   bench/run.sh smoke     the same steps, small and short (under a minute of load)
#
# Environment: BENCH_PORT (8181), BENCH_AMQP (amqp://guest:guest@127.0.0.1:5672),
# BENCH_FROM_WORKTREE=1 to build the server from the working tree (default: HEAD), BENCH_SRC=<dir> from
# another copy, BENCH_QUIET_WAIT (seconds to wait for a quiet
# machine, 1200), BENCH_IDLE ("10000" : the idle connection counts to try), BENCH_SERVER_OPTS (extra
# JVM options for the server, e.g. to compare a change).
# Only loopback addresses are used (127.0.0.x); every step is bounded in time.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/bench
MODE=${1:-full}
PORT=${BENCH_PORT:-8181}
AMQP=${BENCH_AMQP:-amqp://guest:guest@127.0.0.1:5672}
STAMP=$(date -u +%Y-%m-%d)
RUN=$BENCH/target/run-$STAMP-$MODE${BENCH_TAG:+-$BENCH_TAG}
RESULTS=${BENCH_RESULTS:-$BENCH/results/$STAMP$([ "$MODE" = smoke ] && echo -smoke || true).md}
mkdir -p "$RUN" "$BENCH/results"

# every WebSocket is a file descriptor in the generator and in the server: take the hard limit
ulimit -n "$(ulimit -Hn)" || true
FD_LIMIT=$(ulimit -n)

if [ "$MODE" = smoke ]; then
  PERF_SECONDS=10; WARMUP=3; WINDOW=10; LAT_CONN=200; LAT_RATE=200; MAX_CONN=100; IDLE=${BENCH_IDLE:-1000}
else
  PERF_SECONDS=30; WARMUP=10; WINDOW=30; LAT_CONN=2000; LAT_RATE=1000; MAX_CONN=1000; IDLE=${BENCH_IDLE:-10000}
fi
# Connections go to 127.0.0.1 only: Tyrus's upgrade asks for the request's local name, a reverse DNS
# lookup of the address connected to, and 127.0.0.2-8 have no hosts entry here, so each handshake
# blocked an HTTP thread on the resolver (measured: 2,000 connections took 94 s instead of a few).
# One address leaves 28k ephemeral ports, more than the 20k descriptors a process may hold here.
ADDRESSES=${BENCH_ADDRESSES:-1}
SIZE=200           # characters of message text; the broker message is the message frame's JSON
PERF_SIZE=450      # bytes: the size of that JSON as published (measured: ~440 for 200 characters)

SERVER_PID=
GEN_PIDS=()
cleanup() {
  for p in "${GEN_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

log() { echo "[bench $(date -u +%H:%M:%S)] $*" | tee -a "$RUN/run.log" >&2; }
kv() { grep -m1 "^$2=" "$1" | cut -d= -f2- || true; }

# ---- a quiet machine: nothing else heavy (tests, other Payara servers, browsers) may run
others() {
  pgrep -fa 'failsafe|surefire|payara-micro|chromium' | grep -v -e "$RUN" -e "pgrep" || true
}
wait_quiet() {
  local waited=0 limit=${BENCH_QUIET_WAIT:-1200}
  [ "$MODE" = smoke ] && limit=0
  while [ -n "$(others)" ] && [ "$waited" -lt "$limit" ]; do
    [ $((waited % 60)) -eq 0 ] && log "waiting for a quiet machine ($(others | wc -l) processes of others)"
    sleep 10; waited=$((waited + 10))
  done
  if [ -n "$(others)" ]; then
    QUIET="not quiet: $(others | awk '{print $2}' | xargs -n1 basename 2>/dev/null | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
  else
    QUIET="quiet (no other tests, servers or browsers running; waited ${waited}s)"
  fi
  QUIET="$QUIET; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  log "$QUIET"
}

# ---- build
# The server is built from the committed HEAD (git archive), not from the working tree: others may be
# halfway through a change there. BENCH_FROM_WORKTREE=1 builds the working tree instead.
build() {
  local src=$BENCH/target/src
  if [ -n "${BENCH_SRC:-}" ]; then
    SERVER_FROM="${BENCH_SRC_NAME:-$BENCH_SRC}"
    src=$BENCH_SRC
  elif [ "${BENCH_FROM_WORKTREE:-}" = 1 ]; then
    SERVER_FROM="the working tree at $(git rev-parse --short HEAD)$(git diff --quiet -- src pom.xml || echo ' with uncommitted changes')"
    src=$ROOT
  else
    SERVER_FROM="commit $(git rev-parse --short HEAD)"
    rm -rf "$src" && mkdir -p "$src"
    git archive HEAD | tar -x -C "$src"
  fi
  log "building the server WAR from $SERVER_FROM"
  (cd "$src" && mvn -B -o -q -DskipTests package)
  log "building the load generator"
  (cd "$BENCH" && mvn -B -q -DskipTests package)
  cp "$src/target/estate-chat.war" "$src/target/payara-micro.jar" "$RUN/"
}
CP="$BENCH/target/classes:$BENCH/target/lib/*"

# ---- (a) the broker's ceiling
perftest() {
  log "PerfTest: 1000 queues, 10 producers, 10 consumers, persistent, confirms, manual acks, ${PERF_SIZE} B, ${PERF_SECONDS}s"
  timeout $((PERF_SECONDS + 120)) java -Xmx1g -cp "$CP" com.rabbitmq.perf.PerfTest --uri "$AMQP" \
    --queue-pattern 'bench-perf-%d' --queue-pattern-from 1 --queue-pattern-to 1000 \
    --producers 10 --consumers 10 --flag persistent --confirm 100 --qos 100 --size "$PERF_SIZE" \
    --time "$PERF_SECONDS" --auto-delete true > "$RUN/perftest.txt" 2>&1 || log "PerfTest exited with $?"
  PERF_RATE=$(grep -o 'receiving rate avg: [0-9]*' "$RUN/perftest.txt" | grep -o '[0-9]*$' | tail -1)
  PERF_SEND=$(grep -o 'sending rate avg: [0-9]*' "$RUN/perftest.txt" | grep -o '[0-9]*$' | tail -1)
  PERF_LAT=$(grep -o 'consumer latency min/median/75th/95th/99th [^ ]* [^ ]*' "$RUN/perftest.txt" | tail -1 || true)
  log "broker ceiling: ${PERF_RATE:-?} msg/s received (${PERF_SEND:-?} sent)"
}

# ---- (b) the server
start_server() {
  local tag=$1; shift
  log "starting Payara Micro on port $PORT ($tag)"
  mkdir -p "$RUN/tmp"
  # shellcheck disable=SC2086
  java -Xmx2g -XX:+UseG1GC -XX:+FlightRecorder -Djava.io.tmpdir="$RUN/tmp" ${BENCH_SERVER_OPTS:-} "$@" \
    -Dchat.amqp.url="$AMQP/%2F" -Dchat.auth.mode=none -Dchat.allow-missing-origin=true \
    -Dchat.rate-limit.per-second=100000 -Dchat.rate-limit.burst=100000 \
    -Dchat.amqp.exchange=bench.direct -Dchat.amqp.inbox-prefix=bench.inbox. \
    -Dchat.amqp.dead-letter-exchange=bench.dead-letter \
    -jar "$RUN/payara-micro.jar" --deploy "$RUN/estate-chat.war" --contextroot / --port "$PORT" \
    --nohazelcast --nocluster > "$RUN/server-$tag.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$PORT/health/ready" 2>/dev/null | grep -q '"UP"'; then
      log "server ready (pid $SERVER_PID)"; return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { log "server died: see $RUN/server-$tag.log"; exit 1; }
    sleep 1
  done
  log "server not ready after 120 s"; exit 1
}
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 1; done
  kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$SERVER_PID/status"; }
heap_mb() {   # used heap after a full GC
  jcmd "$SERVER_PID" GC.run > /dev/null 2>&1 || true
  sleep 2
  jcmd "$SERVER_PID" GC.heap_info 2>/dev/null | awk '/garbage-first heap/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K,?","",v); printf "%.0f", v/1024}}'
}
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

generate() {   # name, then LoadGenerator options
  local name=$1; shift
  log "load: $name ($*)"
  local before; before=$(cpu_ticks "$SERVER_PID")
  local broker; broker=$(pgrep -f beam.smp | head -1 || true)
  local broker0=0; [ -n "$broker" ] && broker0=$(cpu_ticks "$broker")
  local busy0 idle0; read -r busy0 idle0 < <(awk '/^cpu / {print $2+$3+$4+$7+$8, $5+$6}' /proc/stat)
  timeout 600 java -Xmx3g -cp "$CP" com.estatechat.bench.LoadGenerator --url "ws://127.0.0.1:$PORT/ws" \
    --addresses "$ADDRESSES" --size "$SIZE" --out "$RUN/$name.txt" "$@" > "$RUN/$name.log" 2>&1 || log "generator exited with $?"
  local after; after=$(cpu_ticks "$SERVER_PID")
  local broker1=0; [ -n "$broker" ] && broker1=$(cpu_ticks "$broker")
  local busy1 idle1; read -r busy1 idle1 < <(awk '/^cpu / {print $2+$3+$4+$7+$8, $5+$6}' /proc/stat)
  echo "broker_cpu_ms_per_message=$(awk -v t=$((broker1 - broker0)) -v hz="$(getconf CLK_TCK)" -v n="$(kv "$RUN/$name.txt" sent)" 'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n }')" >> "$RUN/$name.txt"
  echo "machine_busy_pct=$(( 100 * (busy1 - busy0) / (busy1 - busy0 + idle1 - idle0 + 1) ))" >> "$RUN/$name.txt"
  echo "server_cpu_seconds=$(( (after - before) / $(getconf CLK_TCK) ))" >> "$RUN/$name.txt"
  # server CPU per message sent (connecting and warm-up included)
  echo "server_cpu_ms_per_message=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$(kv "$RUN/$name.txt" sent)" 'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n }')" >> "$RUN/$name.txt"
  clean_queues "$(grep -o -- '--prefix [^ ]*' <<< "$*" | cut -d' ' -f2)" "$(grep -o -- '--connections [0-9]*' <<< "$*" | cut -d' ' -f2)"
  log "$name: $(tr '\n' ' ' < "$RUN/$name.txt" | cut -c1-400)"
}
clean_queues() {
  java -cp "$CP" com.estatechat.bench.QueueCleaner "$AMQP" "bench.inbox.$1" "$2" >> "$RUN/run.log" 2>&1 || true
}

profile_start() { jcmd "$SERVER_PID" JFR.start name=bench settings=profile filename="$RUN/$1.jfr" > /dev/null; }
profile_stop() {
  jcmd "$SERVER_PID" JFR.stop name=bench > /dev/null || true
  java -cp "$CP" com.estatechat.bench.JfrTop "$RUN/$1.jfr" 30 > "$RUN/$1-top.md" 2>&1 || true
}

idle() {   # hold N idle connections; heap and RSS against the empty server
  local n=$1 per=$((n < 15000 ? n : 15000)) procs=$(( (n + 14999) / 15000 ))
  local heap0 rss0; heap0=$(heap_mb); rss0=$(rss_mb)
  log "idle: $n connections in $procs generator(s); empty server heap ${heap0} MB, RSS ${rss0} MB"
  rm -f "$RUN"/idle-"$n"-*.ready "$RUN/idle-$n.stop"
  GEN_PIDS=()
  for i in $(seq 0 $((procs - 1))); do
    local count=$(( i == procs - 1 ? n - per * (procs - 1) : per ))
    timeout 900 java -Xmx2g -cp "$CP" com.estatechat.bench.LoadGenerator --mode idle \
      --url "ws://127.0.0.1:$PORT/ws" --addresses "$(( n > 20000 ? 8 : ADDRESSES ))" --connections "$count" --prefix "idle$n-$i-" \
      --connect-parallel 128 --connect-timeout 300 --greet-timeout 120 --hold 600 \
      --ready-file "$RUN/idle-$n-$i.ready" --stop-file "$RUN/idle-$n.stop" --out "$RUN/idle-$n-$i.txt" \
      > "$RUN/idle-$n-$i.log" 2>&1 &
    GEN_PIDS+=($!)
  done
  for _ in $(seq 1 600); do
    [ "$(ls "$RUN"/idle-"$n"-*.ready 2>/dev/null | wc -l)" -ge "$procs" ] && break
    local alive=0; for p in "${GEN_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 1 ] || break
    sleep 1
  done
  sleep 10   # let subscriptions and GC settle
  local heap1 rss1 open
  heap1=$(heap_mb); rss1=$(rss_mb)
  open=$(curl -fsS "http://127.0.0.1:$PORT/metrics?scope=application" 2>/dev/null | awk '/^chat_sessions_open/ {print $2}' | head -1)
  local consumers
  consumers=$(timeout 60 rabbitmqctl -q list_consumers 2>/dev/null | grep -c "bench.inbox.idle$n-" || true)
  local fds; fds=$(ls "/proc/$SERVER_PID/fd" | wc -l)
  touch "$RUN/idle-$n.stop"
  for p in "${GEN_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  GEN_PIDS=()
  local greeted=0 opened=0 failures=0
  for i in $(seq 0 $((procs - 1))); do
    local f=$RUN/idle-$n-$i.txt g o x
    g=$( [ -f "$f" ] && kv "$f" connections_greeted ); o=$( [ -f "$f" ] && kv "$f" connections_open )
    x=$( [ -f "$f" ] && kv "$f" connect_failures )
    greeted=$((greeted + ${g:-0})); opened=$((opened + ${o:-0})); failures=$((failures + ${x:-0}))
    clean_queues "idle$n-$i-" "$per"
  done
  {
    echo "target=$n"; echo "opened=$opened"; echo "greeted=$greeted"; echo "connect_failures=$failures"
    echo "sessions_open_metric=${open:-?}"; echo "inbox_consumers=$consumers"; echo "server_fds=$fds"
    echo "heap_empty_mb=$heap0"; echo "heap_mb=$heap1"; echo "rss_empty_mb=$rss0"; echo "rss_mb=$rss1"
    if [ "${opened:-0}" -gt 0 ]; then
      echo "heap_per_connection_kb=$(( (heap1 - heap0) * 1024 / opened ))"
      echo "rss_per_connection_kb=$(( (rss1 - rss0) * 1024 / opened ))"
    fi
  } > "$RUN/idle-$n.txt"
  log "idle $n: $(tr '\n' ' ' < "$RUN/idle-$n.txt")"
}

# ---- the run
wait_quiet
build
perftest
# each measurement on a fresh server: an overloaded run must not leave its backlog to the next
fresh_server() {
  stop_server
  start_server "$1"
  # warm the JIT a little before measuring
  generate "warm-$1" --prefix "warm$1-" --connections 100 --rate 300 --warmup 0 --duration 8 --drain 10
}
clean_queues "lat-" "$LAT_CONN"; clean_queues "max-" "$MAX_CONN"; clean_queues "sus-" "$MAX_CONN"
fresh_server latency
# below the target rate first (they leave no backlog), then the target rate on a fresh server
for r in $((LAT_RATE / 4)) $((LAT_RATE / 2)); do
  generate "latency-$r" --prefix "lat$r-" --connections "$LAT_CONN" --rate "$r" --warmup "$WARMUP" \
    --duration "$WINDOW" --drain 30
done
fresh_server latency-target
generate latency --prefix lat- --connections "$LAT_CONN" --rate "$LAT_RATE" --warmup "$WARMUP" \
  --duration "$WINDOW" --drain 30
fresh_server max
profile_start max
generate max --prefix max- --connections "$MAX_CONN" --window 1 --warmup "$WARMUP" --duration "$WINDOW" --drain 30
profile_stop max
MAX_RATE=$(kv "$RUN/max.txt" delivered_per_s)
SUSTAIN=$(( ${MAX_RATE:-0} * 9 / 10 ))
if [ "$SUSTAIN" -gt 0 ]; then
  fresh_server sustained
  generate sustained --prefix sus- --connections "$MAX_CONN" --rate "$SUSTAIN" --warmup "$WARMUP" \
    --duration "$WINDOW" --drain 30
fi
stop_server
start_server idle
for n in $IDLE; do idle "$n"; done
stop_server

# ---- the results file
E2E_RATIO=$(awk -v c="${MAX_RATE:-0}" -v p="${PERF_RATE:-0}" 'BEGIN { if (p > 0) printf "%.2f", c / p; else print "?" }')
BROKER_RATIO=$(awk -v c="${MAX_RATE:-0}" -v p="${PERF_RATE:-0}" 'BEGIN { if (p > 0) printf "%.2f", 2 * c / p; else print "?" }')
row() {   # name file
  local f=$RUN/$2.txt
  [ -f "$f" ] || return 0
  echo "| $1 | $(kv "$f" mode) | $(kv "$f" connections_greeted) | $(kv "$f" sent) | $(kv "$f" received_per_s) | $(kv "$f" delivered_per_s) | $(kv "$f" e2e_p50_ms) / $(kv "$f" e2e_p99_ms) / $(kv "$f" e2e_p999_ms) / $(kv "$f" e2e_max_ms) | $(kv "$f" queued_p50_ms) / $(kv "$f" queued_p99_ms) | $(kv "$f" delivered_p50_ms) / $(kv "$f" delivered_p99_ms) | $(kv "$f" errors) $(grep -E '^(ack_)?error_' "$f" | tr '\n' ' ') | $(kv "$f" lost) | $(kv "$f" server_cpu_ms_per_message) | $(kv "$f" broker_cpu_ms_per_message) | $(kv "$f" machine_busy_pct) % |"
}
{
  echo "# Benchmark results, $STAMP ($MODE)"
  echo
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB; Java $(java -version 2>&1 | head -1 | cut -d'"' -f2); RabbitMQ $(rabbitmqctl -q version 2>/dev/null || echo '?'); file descriptors per process: $FD_LIMIT (hard limit)"
  echo "- server: Payara Micro 6.2025.10, -Xmx2g, G1; WAR built from $SERVER_FROM"
  echo "- everything on one machine: broker, server and load generator share the cores"
  echo "- machine state: $QUIET; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "## (a) Broker ceiling (PerfTest 2.22.1)"
  echo
  echo "1000 queues, 10 producers, 10 consumers, persistent, confirms (100 outstanding), manual acks, prefetch 100, ${PERF_SIZE} B, ${PERF_SECONDS} s:"
  echo "**${PERF_RATE:-?} msg/s** received (${PERF_SEND:-?} msg/s sent). ${PERF_LAT:-}"
  echo
  echo "## (b) The chat server"
  echo
  echo "Each chat message is two persistent, confirmed broker messages: the message into the recipient's inbox, and the"
  echo "\`delivered\` receipt into the sender's inbox after the recipient's ack (each consumed with a manual ack)."
  echo
  echo "| run | load | connections | sent | received/s | delivered/s | send→receive p50 / p99 / p999 / max ms | send→queued p50 / p99 ms | send→delivered p50 / p99 ms | errors | lost | server CPU ms/msg | broker CPU ms/msg | machine busy |"
  echo "|---|---|---:|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|"
  row "latency at $((LAT_RATE / 4)) msg/s" "latency-$((LAT_RATE / 4))"
  row "latency at $((LAT_RATE / 2)) msg/s" "latency-$((LAT_RATE / 2))"
  row "latency at ${LAT_RATE} msg/s" latency
  row "maximum (closed loop)" max
  row "sustained at 90 % of maximum" sustained
  echo
  echo "- end to end ÷ broker ceiling: **$E2E_RATIO** chat messages per PerfTest message ($MAX_RATE / ${PERF_RATE:-?});"
  echo "  in broker messages (2 per chat message): **$BROKER_RATIO**"
  echo
  echo "## Idle connections"
  echo
  echo "| target | open | greeted | inbox consumers | heap empty → held MB | heap per connection | RSS empty → held MB | RSS per connection |"
  echo "|---:|---:|---:|---:|---|---:|---|---:|"
  for n in $IDLE; do
    f=$RUN/idle-$n.txt
    [ -f "$f" ] && echo "| $n | $(kv "$f" opened) | $(kv "$f" greeted) | $(kv "$f" inbox_consumers) | $(kv "$f" heap_empty_mb) → $(kv "$f" heap_mb) | $(kv "$f" heap_per_connection_kb) KB | $(kv "$f" rss_empty_mb) → $(kv "$f" rss_mb) | $(kv "$f" rss_per_connection_kb) KB |"
  done
  echo
  echo "## Profile of the maximum run (JFR execution samples of the server)"
  echo
  head -80 "$RUN/max-top.md" 2>/dev/null || echo "(no profile)"
  echo
  echo "Reproduce: \`bench/run.sh\` (raw output in \`bench/target/run-$STAMP-$MODE/\`)."
} > "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
log "wrote $RESULTS"
