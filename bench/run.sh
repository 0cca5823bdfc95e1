#!/usr/bin/env bash
# The whole benchmark in one command, on one machine:
#   (a) RabbitMQ's own ceiling with PerfTest, persistent, confirms, manual acks, over 1,000 queues, in
#       two shapes: today's (10 producer and 10 consumer channels, 100 confirms and 100 deliveries in
#       flight each) and the chat's (a producer channel and a consumer channel per queue, one message
#       in flight each), the chat's shape also transient; broker CPU per message for each;
#   (b) the chat server on Payara Micro against the same broker, driven by bench's LoadGenerator:
#       latency at 1/4, 1/2 and all of a target rate over many connections, the highest closed-loop
#       rate (profiled with JFR) and 90 % of it, each with server and broker CPU per chat message over
#       the measurement window; the highest closed-loop rate over MQTT (/mqtt, Eclipse Paho 1.2.5, QoS 1,
#       the PUBACK as the ack) over as many connections; a connect storm (every user connecting at once,
#       time to `connected`); idle connections held, with heap and RSS per connection.
# Writes bench/results/<date>.md; raw output of every step under bench/target/run-<date>-<mode>/.
#
#   bench/run.sh           the full run (about 25 minutes on a quiet machine, 45 with BENCH_BASELINE)
#   bench/run.sh smoke     the same steps, small and short (about 8 minutes on a quiet machine, 12 with
#                          BENCH_BASELINE; 28 with BENCH_BASELINE on 2026-11-30 at a load average of ~15,
#                          when each Payara Micro took 40-90 s to start)
#
# Environment:
#   BENCH_PORT          the server's HTTP port (8181); the step stops if something else listens there
#   BENCH_AMQP          the broker (amqp://guest:guest@127.0.0.1:5672)
#   BENCH_FROM_WORKTREE 1: build the server from the working tree (default: HEAD, via git archive)
#   BENCH_SRC           build the server from this directory instead (BENCH_SRC_NAME names it)
#   BENCH_BASELINE      a git revision: also build the server at that revision (git archive into
#                       bench/target/baseline-src) and run every server step for it too, each step
#                       baseline first, then this build, each on a fresh server; the results file gets
#                       both, and a before/after table. PerfTest runs once (it does not involve the server).
#                       One round each: an A/A run (the same server twice) differed by up to ±40 % on a
#                       busy machine; for a close call use bench/ab.sh (several interleaved rounds).
#   BENCH_STORM         users in the connect storm (2000; smoke 500)
#   BENCH_IDLE          idle connection counts to try ("10000"; smoke "1000")
#   BENCH_QUIET_WAIT    seconds to wait for a quiet machine (1200; smoke 0)
#   BENCH_SERVER_OPTS   extra JVM options for the server(s)
#   BENCH_WARM_SECONDS  the JIT warm-up on each fresh server before a step measures, a closed loop over the
#                       step_max connections (120; smoke 8). With 8 s at 300 msg/s, the compiler threads still
#                       took 0.44 of the server's 0.93 cores in the first window (250 msg/s); with 60 s at
#                       300 msg/s, 0.32 core in the closed loop after it. The tables give the JIT's share of the
#                       server's CPU; bench/warmed.sh measures one server warmed for minutes
#   BENCH_RESULTS       the results file (bench/results/<date>[-smoke].md); BENCH_TAG names the raw folder
#   BENCH_ADDRESSES     loopback addresses to spread connections over (1: see below)
#   BENCH_STEPS         the server steps to run, in order (all: "step_latency step_max step_max_mqtt step_storm
#                       step_idle"; step_max_mqtt: the closed loop of step_max over MQTT, on a fresh server)
#   BENCH_PERFTEST      0: skip PerfTest (the broker ceiling), e.g. for a before/after of server steps only
#   BENCH_CONTAINER     payara-micro (the default) or wildfly: the server steps on WildFly (its
#                       standalone-microprofile.xml, the version of pom.xml's -Pwildfly, unpacked into
#                       bench/target from Maven Central once); bench/containers.sh runs both in one run
# Only loopback addresses are used (127.0.0.x); every step is bounded in time.
# Sourced (bench/cluster.sh does, with the mode as its argument), it only sets up and defines its functions.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BENCH=$ROOT/bench
MODE=${1:-full}
PORT=${BENCH_PORT:-8181}
AMQP=${BENCH_AMQP:-amqp://guest:guest@127.0.0.1:5672}
STAMP=$(date -u +%Y-%m-%d)
RUN=$BENCH/target/run-$STAMP-$MODE${BENCH_TAG:+-$BENCH_TAG}
RESULTS=${BENCH_RESULTS:-$BENCH/results/$STAMP$([ "$MODE" = smoke ] && echo -smoke || true).md}
HZ=$(getconf CLK_TCK)
mkdir -p "$RUN" "$BENCH/results"

# every WebSocket is a file descriptor in the generator and in the server: take the hard limit
ulimit -n "$(ulimit -Hn)" || true
FD_LIMIT=$(ulimit -n)

if [ "$MODE" = smoke ]; then
  PERF_SECONDS=10; WARMUP=3; WINDOW=10; LAT_CONN=200; LAT_RATE=200; MAX_CONN=100; IDLE=${BENCH_IDLE:-1000}
  STORM=${BENCH_STORM:-500}; WARM_SECONDS=${BENCH_WARM_SECONDS:-8}
else
  PERF_SECONDS=30; WARMUP=10; WINDOW=30; LAT_CONN=2000; LAT_RATE=1000; MAX_CONN=1000; IDLE=${BENCH_IDLE:-10000}
  STORM=${BENCH_STORM:-2000}; WARM_SECONDS=${BENCH_WARM_SECONDS:-120}
fi
# Connections go to 127.0.0.1 only: Tyrus's upgrade asks for the request's local name, a reverse DNS
# lookup of the address connected to, and 127.0.0.2-8 have no hosts entry here, so each handshake
# blocked an HTTP thread on the resolver (measured: 2,000 connections took 94 s instead of a few).
# One address leaves 28k ephemeral ports, more than the 20k descriptors a process may hold here.
ADDRESSES=${BENCH_ADDRESSES:-1}
SIZE=200           # characters of message text; the broker message is the message frame's JSON
PERF_SIZE=450      # bytes: the size of that JSON as published (measured: ~440 for 200 characters)
# the broker's Erlang VM (the oldest beam.smp running rabbit: rabbitmqctl starts short-lived ones)
BROKER_PID=$(pgrep -o -f 'beam.smp.*rabbit' || pgrep -o -f beam.smp || true)

NODES=1           # servers a step starts, on ports PORT, PORT+1, ... (bench/cluster.sh: 2)
CONTAINER=${BENCH_CONTAINER:-payara-micro}   # what a server step starts (bench/containers.sh switches it)
WILDFLY_VERSION=$(sed -n 's:.*<wildfly.version>\(.*\)</wildfly.version>.*:\1:p' "$ROOT/pom.xml")
SERVER_EXTRA=()   # more JVM options for every server (bench/cluster.sh: chat.cluster.fan-out)
SERVER_CDS=       # a folder of bin/micro-cds make: Payara Micro starts through its launcher and archive (bench/start.sh)
READY_MS=         # the last server started: milliseconds from launch to ready
GEN_EXTRA=()      # more LoadGenerator options for every load (bench/cluster.sh: nodes, routing, devices)
FRESH_STORE=0     # 1: each server's embedded conversation store in a new folder of the run (two nodes cannot share one)
PROFILED=max      # the fresh servers whose measured run is profiled (their JFR instrumentation starts before the warm-up)
SERVER_PID=       # the first server (heap, RSS, histograms)
SERVER_PIDS=()    # all of them
GEN_PIDS=()
cleanup() {
  for p in "${GEN_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${SERVER_PIDS[@]:-}"; do
    if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
}
trap cleanup EXIT

log() { echo "[bench $(date -u +%H:%M:%S)] $*" | tee -a "$RUN/run.log" >&2; }
kv() { [ -f "$1" ] && grep -m1 "^$2=" "$1" | cut -d= -f2- || true; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# ---- a quiet machine: nothing else heavy (tests, other Payara servers, browsers) may run
# (a flock still waiting for a lock runs nothing yet: what runs under one is its children)
others() {
  pgrep -fa 'failsafe|surefire|payara-micro|chromium' | grep -v -e "$RUN" -e "pgrep" -e '^[0-9]* flock ' || true
}
wait_quiet() {
  local waited=0 limit=${BENCH_QUIET_WAIT:-1200}
  [ "$MODE" = smoke ] && limit=${BENCH_QUIET_WAIT:-0}
  while [ -n "$(others)" ] && [ "$waited" -lt "$limit" ]; do
    [ $((waited % 60)) -eq 0 ] && log "waiting for a quiet machine ($(others | wc -l) processes of others)"
    sleep 10; waited=$((waited + 10))
  done
  if [ -n "$(others)" ]; then
    QUIET="not quiet: $(others | wc -l) processes of others (tests, Payara servers, browsers)"
  else
    QUIET="quiet (no other tests, servers or browsers running; waited ${waited}s)"
  fi
  QUIET="$QUIET; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  log "$QUIET"
}

# ---- build
# The server is built from the committed HEAD (git archive), not from the working tree: others may be
# halfway through a change there. BENCH_FROM_WORKTREE=1 builds the working tree instead.
mvn_package() {   # offline first (quick, and what ran before); online when something is missing
  (cd "$1" && { mvn -B -o -q -DskipTests package > "$RUN/build-$2.log" 2>&1 \
    || mvn -B -q -DskipTests package >> "$RUN/build-$2.log" 2>&1; }) \
    || { log "build of $2 failed: see $RUN/build-$2.log"; exit 1; }
}
build() {
  local src=$BENCH/target/src
  if [ -n "${BENCH_SRC:-}" ]; then
    SERVER_FROM="${BENCH_SRC_NAME:-$BENCH_SRC}"
    src=$BENCH_SRC
  elif [ "${BENCH_FROM_WORKTREE:-}" = 1 ]; then
    SERVER_FROM="the working tree at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' with uncommitted changes')"
    src=$ROOT
  else
    SERVER_FROM="commit $(git rev-parse --short HEAD)"
    rm -rf "$src" && mkdir -p "$src"
    git archive HEAD | tar -x -C "$src"
  fi
  log "building the server WAR from $SERVER_FROM"
  mvn_package "$src" cur
  mkdir -p "$RUN/cur" && cp "$src/target/estate-chat.war" "$src/target/payara-micro.jar" "$RUN/cur/"
  BUILDS=(cur)
  if [ -n "${BENCH_BASELINE:-}" ]; then
    local base=$BENCH/target/baseline-src rev
    rev=$(git rev-parse --short "$BENCH_BASELINE^{commit}")
    BASE_FROM="commit $rev ($BENCH_BASELINE)"
    rm -rf "$base" && mkdir -p "$base"
    git archive "$rev" | tar -x -C "$base"
    log "building the baseline WAR from $BASE_FROM"
    mvn_package "$base" base
    mkdir -p "$RUN/base" && cp "$base/target/estate-chat.war" "$base/target/payara-micro.jar" "$RUN/base/"
    BUILDS=(base cur)
  fi
  log "building the load generator"
  (cd "$BENCH" && mvn -B -q -DskipTests package > "$RUN/build-bench.log" 2>&1) \
    || { log "build of bench failed: see $RUN/build-bench.log"; exit 1; }
}
CP="$BENCH/target/classes:$BENCH/target/lib/*"
# the build a server step runs: its folder, its raw files' prefix, its users' prefix, its name
use_build() {
  BUILD=$1
  if [ "$1" = base ]; then P=base-; U=b; BUILD_NAME="baseline"; else P=; U=; BUILD_NAME="this build"; fi
}

# ---- (a) the broker's ceiling
# One PerfTest run; the broker's CPU is counted over its steady state, from the 4th one-second sample
# (every channel started) to the ${PERF_SECONDS}th (PerfTest runs --time after the last channel
# started, so producers are still running then), and divided by the messages received meanwhile.
perftest() {   # name, then PerfTest options
  local name=$1; shift
  local out=$RUN/perftest-$name.txt
  log "PerfTest $name: $*"
  timeout $((PERF_SECONDS + 240)) java -Xmx1g -cp "$CP" com.rabbitmq.perf.PerfTest --uri "$AMQP" \
    --queue-pattern "bench-$name-%d" --queue-pattern-from 1 --queue-pattern-to 1000 --size "$PERF_SIZE" \
    --time "$PERF_SECONDS" --auto-delete true "$@" > "$out" 2>&1 &
  local pid=$! jvm= n n0= n1= b0= b1= c0= c1= w0= w1= busy0 idle0 busy1 idle1
  while kill -0 "$pid" 2>/dev/null; do
    [ -n "$jvm" ] || jvm=$(pgrep -P "$pid" | head -1 || true)   # PerfTest's JVM, under timeout
    n=$(grep -c 'time [0-9.]* s, sent' "$out" || true)
    if [ -z "$n0" ] && [ "$n" -ge 4 ]; then
      n0=$n; b0=$(cpu_ticks "$BROKER_PID"); c0=$(cpu_ticks "$jvm"); w0=$(date +%s.%N)
      read -r busy0 idle0 < <(awk '/^cpu / {print $2+$3+$4+$7+$8, $5+$6}' /proc/stat)
    elif [ -n "$n0" ] && [ "$n" -ge "$PERF_SECONDS" ]; then
      n1=$n; b1=$(cpu_ticks "$BROKER_PID"); c1=$(cpu_ticks "$jvm"); w1=$(date +%s.%N)
      read -r busy1 idle1 < <(awk '/^cpu / {print $2+$3+$4+$7+$8, $5+$6}' /proc/stat)
      break
    fi
    sleep 0.2
  done
  wait "$pid" || log "PerfTest $name exited with $?"
  # auto-delete removes only queues that had a consumer: in today's shape 990 of the 1,000 never do,
  # and a broker holding ~1,000 leftover queues was seen to hang recovering them on restart
  java -cp "$CP" com.estatechat.bench.QueueCleaner "$AMQP" "bench-$name-" 1001 >> "$RUN/run.log" 2>&1 || true
  {
    echo "options=$*"
    echo "received_per_s_avg=$(grep -o 'receiving rate avg: [0-9]*' "$out" | grep -o '[0-9]*$' | tail -1)"
    echo "sent_per_s_avg=$(grep -o 'sending rate avg: [0-9]*' "$out" | grep -o '[0-9]*$' | tail -1)"
    echo "consumer_latency_us=$(grep -o 'consumer latency min/median/75th/95th/99th [0-9/]*' "$out" | tail -1 | awk '{print $NF}')"
    if [ -n "$n1" ]; then
      # the samples n0+1..n1, about one second each
      local rate; rate=$(grep 'time [0-9.]* s, sent' "$out" | sed -n "$((n0 + 1)),${n1}p" \
        | grep -o 'received: [0-9.]*' | awk '{s += $2; k++} END {if (k) printf "%.0f", s / k}' || true)
      echo "steady_seconds=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.1f", b - a}')"
      echo "received_per_s=$rate"
      awk -v t=$((b1 - b0)) -v c=$((c1 - c0)) -v hz="$HZ" -v r="${rate:-0}" -v a="$w0" -v b="$w1" 'BEGIN {
        s = b - a
        if (r > 0) printf "broker_cpu_ms_per_message=%.3f\n", t * 1000 / hz / (r * s)
        printf "broker_cores=%.2f\nperftest_cores=%.2f\n", t / hz / s, c / hz / s }'
      echo "machine_busy_pct=$(( 100 * (busy1 - busy0) / (busy1 - busy0 + idle1 - idle0 + 1) ))"
    fi
  } > "$RUN/perftest-$name.kv"
  log "PerfTest $name: $(grep -v '^options=' "$RUN/perftest-$name.kv" | tr '\n' ' ')"
}

# ---- (b) the server
node_suffix() { [ "$NODES" -gt 1 ] && echo "-node$1" || true; }   # a server's raw files, when there are several
# The chat's settings for a bench server, as system properties (both containers read them through
# MicroProfile Config): its own exchange, queues and presence names, no auth, no rate limits.
server_options() {   # node (1, 2, ...)
  SERVER_OPTS=(-Xmx2g -XX:+UseG1GC -XX:+FlightRecorder -Djava.io.tmpdir="$RUN/tmp")
  # shellcheck disable=SC2206
  SERVER_OPTS+=(${BENCH_SERVER_OPTS:-}
    -Dchat.amqp.url="$AMQP/%2F" -Dchat.auth.mode=none -Dchat.allow-missing-origin=true
    -Dchat.rate-limit.per-second=100000 -Dchat.rate-limit.burst=100000 -Dchat.inbox.max-per-sender=0
    -Dchat.amqp.exchange=bench.direct -Dchat.amqp.inbox-prefix=bench.inbox.
    -Dchat.amqp.dead-letter-exchange=bench.dead-letter
    -Dchat.cluster.presence-exchange=bench.presence -Dchat.cluster.node-prefix=bench.node.)
  [ "$FRESH_STORE" = 1 ] && SERVER_OPTS+=(-Dchat.history.embedded-path="$RUN/history-$P$2$(node_suffix "$1")")
  SERVER_OPTS+=("${SERVER_EXTRA[@]}")
}
ctx() { [ "$CONTAINER" = wildfly ] && echo /estate-chat || true; }   # the WAR's context root
server_name() {
  [ "$CONTAINER" = wildfly ] && echo "WildFly $WILDFLY_VERSION (standalone-microprofile.xml)" || echo "Payara Micro 6.2025.10"
}
ready_url() {   # port: Payara Micro serves health on the HTTP port, WildFly on its management port
  [ "$CONTAINER" = wildfly ] && echo "http://127.0.0.1:$(($1 - 8080 + 9990))/health/ready" \
    || echo "http://127.0.0.1:$1/health/ready"
}
wildfly_home() {   # unpacked once, from the local Maven repository (CI's -Pwildfly run fetched it) or Central
  local home=$BENCH/target/wildfly-$WILDFLY_VERSION
  if [ ! -x "$home/bin/standalone.sh" ]; then
    log "unpacking WildFly $WILDFLY_VERSION into bench/target"
    (cd "$ROOT" && mvn -B -q dependency:unpack -Dartifact="org.wildfly:wildfly-dist:$WILDFLY_VERSION:zip" \
      -DoutputDirectory="$BENCH/target" > "$RUN/unpack-wildfly.log" 2>&1) \
      || { log "unpacking WildFly failed: see $RUN/unpack-wildfly.log"; exit 1; }
  fi
  echo "$home"
}
launch() {   # node port log: one server in the background; its JVM's pid in LAUNCHED
  server_options "$1" "$4"
  if [ "$CONTAINER" = wildfly ]; then
    # a server base of its own per start (configuration, deployments, data), the WAR as the smoke IT deploys it;
    # HTTP on port, management on port - 8080 + 9990
    local home base=$RUN/wildfly-$P$4$(node_suffix "$1") shell
    home=$(wildfly_home)
    rm -rf "$base" && cp -r "$home/standalone" "$base" && cp "$RUN/$BUILD/estate-chat.war" "$base/deployments/"
    JAVA_OPTS="${SERVER_OPTS[*]}" "$home/bin/standalone.sh" -c standalone-microprofile.xml \
      -Djboss.server.base.dir="$base" -Djboss.socket.binding.port-offset=$(($2 - 8080)) > "$3" 2>&1 &
    shell=$!
    for _ in $(seq 1 100); do   # the script's child running the server (not its java -version checks): its JVM
      LAUNCHED=$(pgrep -P "$shell" -f jboss-modules.jar || true); [ -n "$LAUNCHED" ] && return 0; sleep 0.1
    done
    log "WildFly's JVM did not start: see $3"; exit 1
  fi
  local payara=(--deploy "$RUN/$BUILD/estate-chat.war" --contextroot / --port "$2" --nohazelcast --nocluster)
  if [ -n "$SERVER_CDS" ]; then
    JVM_ARGS="${SERVER_OPTS[*]}" "$ROOT/bin/micro-cds" start "$SERVER_CDS" "${payara[@]}" > "$3" 2>&1 &
  else
    java "${SERVER_OPTS[@]}" -jar "$RUN/$BUILD/payara-micro.jar" "${payara[@]}" > "$3" 2>&1 &
  fi
  LAUNCHED=$!
}
start_server() {   # tag (the build is $BUILD): $NODES servers, each ready; start to ready in $RUN/<tag>-start.txt
  local tag=$P$1 i port pid started
  for i in $(seq 1 "$NODES"); do
    port=$((PORT + i - 1))
    if ss -ltn 2>/dev/null | grep -q ":$port "; then
      log "port $port is taken by another process: set BENCH_PORT"; exit 1
    fi
  done
  mkdir -p "$RUN/tmp"
  started=$(date +%s%N)
  for i in $(seq 1 "$NODES"); do
    port=$((PORT + i - 1))
    log "starting $CONTAINER on port $port ($BUILD_NAME, $1)"
    launch "$i" "$port" "$RUN/server-$tag$(node_suffix "$i").log" "$1"
    SERVER_PIDS+=("$LAUNCHED")
  done
  SERVER_PID=${SERVER_PIDS[0]}
  # each server within 180 s of the previous one's readiness (they start together, on shared cores);
  # polled every 0.2 s: READY_MS, from launch to ready, is bench/start.sh's measure
  for i in $(seq 1 "$NODES"); do
    port=$((PORT + i - 1)); pid=${SERVER_PIDS[$((i - 1))]}
    for _ in $(seq 1 901); do
      if curl -fsS "$(ready_url "$port")" 2>/dev/null | grep -q '"UP"'; then
        READY_MS=$(( ($(date +%s%N) - started) / 1000000 ))
        log "server ready (pid $pid, port $port) ${READY_MS} ms after launch"; continue 2
      fi
      kill -0 "$pid" 2>/dev/null || { log "server died: see $RUN/server-$tag$(node_suffix "$i").log"; exit 1; }
      sleep 0.2
    done
    log "server on port $port not ready after 180 s"; exit 1
  done
  awk -v ms="$READY_MS" 'BEGIN { printf "ready_seconds=%.1f\n", ms / 1000 }' > "$RUN/$tag-start.txt"
}
stop_server() {   # all of them
  [ "${#SERVER_PIDS[@]}" -gt 0 ] || return 0
  local p
  for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SERVER_PIDS[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  SERVER_PID=; SERVER_PIDS=()
}
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$SERVER_PID/status"; }
CPU_OPTS=()
cpu_opts() {   # server (one) or server1, server2, ... (several), and the broker
  local spec="server:$SERVER_PID," i
  if [ "${#SERVER_PIDS[@]}" -gt 1 ]; then
    spec=; for i in "${!SERVER_PIDS[@]}"; do spec+="server$((i + 1)):${SERVER_PIDS[$i]},"; done
  fi
  CPU_OPTS=(--cpu-pids "${spec}broker:$BROKER_PID" --clock-ticks "$HZ")
}

# The generator counts the server's, the broker's and its own CPU time over the measurement window
# only (not connecting, warm-up or drain), per chat message received in that window.
generate() {   # name, then LoadGenerator options (with --prefix and --connections)
  local name=$P$1; shift
  log "load: $name ($*)"
  cpu_opts
  timeout 600 java -Xmx3g -cp "$CP" com.estatechat.bench.LoadGenerator --url "ws://127.0.0.1:$PORT$(ctx)/ws" \
    --addresses "$ADDRESSES" --size "$SIZE" --out "$RUN/$name.txt" "${CPU_OPTS[@]}" "${GEN_EXTRA[@]}" "$@" \
    > "$RUN/$name.log" 2>&1 || log "generator exited with $?"
  clean_queues "$(grep -o -- '--prefix [^ ]*' <<< "$*" | cut -d' ' -f2)" "$(grep -o -- '--connections [0-9]*' <<< "$*" | cut -d' ' -f2)"
  log "$name: $(tr '\n' ' ' < "$RUN/$name.txt" 2>/dev/null | cut -c1-400)"
}
clean_queues() {
  java -cp "$CP" com.estatechat.bench.QueueCleaner "$AMQP" "bench.inbox.$1" "$2" >> "$RUN/run.log" 2>&1 || true
}

# JFR instruments the JDK's socket and file classes when a recording with those events starts: the
# code that calls them is deoptimized and compiled again. Started at the window, that recompiling fell
# into it (2026-12-01: the JIT took 0.79 of the server's 2.36 ms per message there, 0.31 of 1.13 in
# the warm-up before). So a first recording runs from before the warm-up, and the measured one only
# adds a file: the instrumentation is in place by then.
# Each server has its own recording: <name>.jfr and <name>-top.md (-node<i> added with several servers).
profile_prepare() {
  local p
  for p in "${SERVER_PIDS[@]}"; do jcmd "$p" JFR.start name=instrumented settings=profile disk=false maxage=1s > /dev/null || true; done
}
profile_start() {
  local i
  for i in "${!SERVER_PIDS[@]}"; do
    jcmd "${SERVER_PIDS[$i]}" JFR.start name=bench settings=profile filename="$RUN/$P$1$(node_suffix $((i + 1))).jfr" > /dev/null
  done
}
profile_stop() {
  local i f
  for i in "${!SERVER_PIDS[@]}"; do
    f=$RUN/$P$1$(node_suffix $((i + 1)))
    jcmd "${SERVER_PIDS[$i]}" JFR.stop name=bench > /dev/null || true
    jcmd "${SERVER_PIDS[$i]}" JFR.stop name=instrumented > /dev/null 2>&1 || true
    java -cp "$CP" com.estatechat.bench.JfrTop "$f.jfr" 30 > "$f-top.md" 2>&1 || true
  done
}

# Every user connects at once; each one's time from the start to its `connected` frame. The users
# are new (no inbox yet) unless a users' prefix is given: then they are that earlier storm's, whose
# inboxes the earlier storm kept (a restart storm's shape: returning users).
storm() {   # name, users [, keep: 1 leaves the inboxes] [, users' prefix]
  local name=$P$1 n=$2 keep=${3:-0} users=$U${4:-$1}-
  log "connect storm: $name, $n users at once ($users)"
  cpu_opts
  storm_counts "$RUN/$name-before"
  timeout 300 java -Xmx2g -cp "$CP" com.estatechat.bench.LoadGenerator --mode storm \
    --url "ws://127.0.0.1:$PORT$(ctx)/ws" --addresses "$ADDRESSES" --connections "$n" --prefix "$users" \
    --connect-timeout 120 --greet-timeout 120 --max-seconds 280 "${CPU_OPTS[@]}" \
    --out "$RUN/$name.txt" > "$RUN/$name.log" 2>&1 || log "storm generator exited with $?"
  storm_counts "$RUN/$name-after"
  storm_steps "$RUN/$name" "$n" >> "$RUN/$name.txt"
  [ "$keep" = 1 ] || clean_queues "$users" "$n"
  log "$name: $(grep -E '^(connections_greeted|connect_failures|storm_|server_cpu|step_|broker_packets)' "$RUN/$name.txt" 2>/dev/null | tr '\n' ' ')"
}
# The server's step timers (chat_connect_*, wall and CPU: ChatMetrics, InboxSteps, NodeNotices) and the
# TCP packets the broker read from and wrote to the server's connections (recv_cnt, send_cnt: not AMQP
# frames; rabbitmqctl has no per-method counts and the management plugin is off here)
storm_counts() {   # file prefix
  curl -fsS -m 10 "http://127.0.0.1:$PORT/metrics?scope=application" > "$1.metrics" 2>/dev/null || true
  timeout 60 rabbitmqctl -q list_connections client_properties recv_cnt send_cnt 2>/dev/null \
    | grep 'estate-chat' | awk -F'\t' '{r += $(NF-1); s += $NF} END {print "recv=" r+0; print "sent=" s+0}' \
    > "$1.frames" || true
}
storm_steps() {   # file prefix, users: step_<name>_count, _wall_ms (mean per step), _cpu_ms_per_connection
  awk -v n="$2" '
    FNR == 1 { f++ }
    /^chat_connect_[a-z_]*_seconds_(count|sum)[{ ]/ {
      split($1, k, "{"); v[f, k[1]] = $NF; keys[k[1]] = 1 }
    END {
      for (key in keys) {
        if (key !~ /_count$/) continue
        base = substr(key, 1, length(key) - length("_seconds_count"))
        if (base ~ /_cpu$/) continue
        c = v[2, key] - v[1, key]; w = v[2, base "_seconds_sum"] - v[1, base "_seconds_sum"]
        u = v[2, base "_cpu_seconds_sum"] - v[1, base "_cpu_seconds_sum"]
        step = substr(base, length("chat_connect_") + 1)
        printf "step_%s_count=%d\n", step, c
        if (c > 0) printf "step_%s_wall_ms=%.3f\n", step, 1000 * w / c
        if (v[2, base "_cpu_seconds_count"] - v[1, base "_cpu_seconds_count"] > 0 && n > 0) printf "step_%s_cpu_ms_per_connection=%.3f\n", step, 1000 * u / n
      } }' "$1-before.metrics" "$1-after.metrics" | sort
  awk -F= -v n="$2" 'FNR == 1 { f++ } { v[f, $1] = $2 } END {
    if (n > 0) printf "broker_packets_received_per_connection=%.1f\nbroker_packets_sent_per_connection=%.1f\n",
      (v[2, "recv"] - v[1, "recv"]) / n, (v[2, "sent"] - v[1, "sent"]) / n }' "$1-before.frames" "$1-after.frames"
}

idle() {   # hold N idle connections; heap and RSS against the empty server
  local n=$1 per=$(($1 < 15000 ? $1 : 15000)) procs=$(( ($1 + 14999) / 15000 )) name=${P}idle-$1
  # the live heap from the histograms (jmap's full GC): GC.heap_info after GC.run read 380 MB for an
  # empty server on 2026-12-01 (its histogram: 69 MB), and so 3 KB per connection instead of 37
  local heap0 rss0
  histogram "$RUN/$name-empty.histo"
  heap0=$(live_mb "$RUN/$name-empty.histo"); rss0=$(rss_mb)
  log "idle: $n connections in $procs generator(s); empty server heap ${heap0} MB, RSS ${rss0} MB"
  rm -f "$RUN/$name"-*.ready "$RUN/$name.stop"
  GEN_PIDS=()
  for i in $(seq 0 $((procs - 1))); do
    local count=$(( i == procs - 1 ? n - per * (procs - 1) : per ))
    timeout 900 java -Xmx2g -cp "$CP" com.estatechat.bench.LoadGenerator --mode idle \
      --url "ws://127.0.0.1:$PORT$(ctx)/ws" --addresses "$(( n > 20000 ? 8 : ADDRESSES ))" --connections "$count" --prefix "${U}idle$n-$i-" \
      --connect-parallel 128 --connect-timeout 300 --greet-timeout 120 --hold 600 \
      --ready-file "$RUN/$name-$i.ready" --stop-file "$RUN/$name.stop" --out "$RUN/$name-$i.txt" \
      > "$RUN/$name-$i.log" 2>&1 &
    GEN_PIDS+=($!)
  done
  for _ in $(seq 1 600); do
    [ "$(ls "$RUN/$name"-*.ready 2>/dev/null | wc -l)" -ge "$procs" ] && break
    local alive=0; for p in "${GEN_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 1 ] || break
    sleep 1
  done
  sleep 10   # let subscriptions and GC settle
  local heap1 rss1 open
  histogram "$RUN/$name-held.histo"
  heap1=$(live_mb "$RUN/$name-held.histo"); rss1=$(rss_mb)
  open=$(curl -fsS "http://127.0.0.1:$PORT/metrics?scope=application" 2>/dev/null | awk '/^chat_sessions_open/ {print $2}' | head -1 || true)
  local consumers
  consumers=$(timeout 60 rabbitmqctl -q list_consumers 2>/dev/null | grep -c "bench.inbox.${U}idle$n-" || true)
  local fds; fds=$(ls "/proc/$SERVER_PID/fd" | wc -l)
  touch "$RUN/$name.stop"
  for p in "${GEN_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  GEN_PIDS=()
  local greeted=0 opened=0 failures=0
  for i in $(seq 0 $((procs - 1))); do
    local f=$RUN/$name-$i.txt g o x
    g=$(kv "$f" connections_greeted); o=$(kv "$f" connections_open); x=$(kv "$f" connect_failures)
    greeted=$((greeted + ${g:-0})); opened=$((opened + ${o:-0})); failures=$((failures + ${x:-0}))
    clean_queues "${U}idle$n-$i-" "$per"
  done
  {
    echo "target=$n"; echo "opened=$opened"; echo "greeted=$greeted"; echo "connect_failures=$failures"
    echo "sessions_open_metric=${open:-?}"; echo "inbox_consumers=$consumers"; echo "server_fds=$fds"
    echo "heap_empty_mb=$heap0"; echo "heap_mb=$heap1"; echo "rss_empty_mb=$rss0"; echo "rss_mb=$rss1"
    if [ "${opened:-0}" -gt 0 ]; then
      echo "heap_per_connection_kb=$(( (heap1 - heap0) * 1024 / opened ))"
      echo "rss_per_connection_kb=$(( (rss1 - rss0) * 1024 / opened ))"
    fi
  } > "$RUN/$name.txt"
  per_connection "$RUN/$name-empty.histo" "$RUN/$name-held.histo" "$opened" > "$RUN/$name-classes.md"
  log "$name: $(tr '\n' ' ' < "$RUN/$name.txt")"
}
# the live objects of the server by class (jmap runs a full GC first)
histogram() { jmap -histo:live "$SERVER_PID" > "$1" 2>/dev/null || true; }
live_mb() { awk '/^Total/ {t = $3} END {printf "%.0f", t / 1048576}' "$1" 2>/dev/null || echo 0; }   # a histogram's live bytes, MB
# the held histogram minus the empty one, per connection: the 25 classes that grew most, as table rows
per_connection() {   # empty held connections
  [ "${3:-0}" -gt 0 ] && [ -s "$1" ] && [ -s "$2" ] || return 0
  awk -v n="$3" '
    FNR == NR { if ($1 ~ /^[0-9]+:$/) { count[$4] = $2; bytes[$4] = $3 }; next }
    $1 ~ /^[0-9]+:$/ && $3 > bytes[$4] { printf "%d %.1f %s\n", ($3 - bytes[$4]) / n, ($2 - count[$4]) / n, $4 }
  ' "$1" "$2" | sort -rn | awk 'NR <= 25 { printf "| %d | %s | `%s` |\n", $1, $2, $3 }'
  # (not head -25: it closed the pipe early, sort died of SIGPIPE, and pipefail ended the run)
}

# ---- the steps on the server; each measurement on a fresh server: an overloaded run must not leave
# its backlog to the next
fresh_server() {   # tag, then generator options for the warm-up (e.g. its transport)
  local tag=$1; shift
  stop_server
  start_server "$tag"
  case " $PROFILED " in *" $tag "*) profile_prepare ;; esac   # the measured run of step_max is profiled
  # warm the JIT before measuring, with the hardest of the steps' loads: the closed loop over as many
  # connections (a warm-up of 100 connections at 300 msg/s left C2 compiling for minutes afterwards)
  generate "warm-$tag" --prefix "${U}warm$tag-" --connections "$MAX_CONN" --window 1 --warmup 0 \
    --duration "$WARM_SECONDS" --drain 20 "$@"
}
step_latency() {   # below the target rate first (they leave no backlog), then the target rate on a fresh server
  fresh_server latency
  for r in $((LAT_RATE / 4)) $((LAT_RATE / 2)); do
    generate "latency-$r" --prefix "${U}lat$r-" --connections "$LAT_CONN" --rate "$r" --warmup "$WARMUP" \
      --duration "$WINDOW" --drain 30
  done
  fresh_server latency-target
  generate latency --prefix "${U}lat-" --connections "$LAT_CONN" --rate "$LAT_RATE" --warmup "$WARMUP" \
    --duration "$WINDOW" --drain 30
}
step_max() {   # the highest closed-loop rate, then 90 % of it as an open loop
  fresh_server max
  profile_start max
  generate max --prefix "${U}max-" --connections "$MAX_CONN" --window 1 --warmup "$WARMUP" --duration "$WINDOW" --drain 30
  profile_stop max
  local sustain=$(( $(kv "$RUN/${P}max.txt" delivered_per_s | grep -o '^[0-9]*' || echo 0) * 9 / 10 ))
  if [ "$sustain" -gt 0 ]; then
    fresh_server sustained
    generate sustained --prefix "${U}sus-" --connections "$MAX_CONN" --rate "$sustain" --warmup "$WARMUP" \
      --duration "$WINDOW" --drain 30
  fi
}
step_max_mqtt() {   # the closed loop of step_max over MQTT (/mqtt, Paho, QoS 1 both ways, the PUBACK as the ack)
  local mqtt=(--transport mqtt --url "ws://127.0.0.1:$PORT$(ctx)/mqtt")
  fresh_server max-mqtt "${mqtt[@]}"
  generate max-mqtt "${mqtt[@]}" --prefix "${U}maxmqtt-" --connections "$MAX_CONN" --window 1 --warmup "$WARMUP" \
    --duration "$WINDOW" --drain 30
}
step_storm() {   # cold: a server just started; warm: a second wave on it; both new users. return: the
  stop_server      # warm wave's users again, their inboxes kept (a network blip's storm); restart: the
  start_server storm   # same users once more on a server started anew (a restart storm)
  storm storm-cold "$STORM"
  sleep 5   # the first wave's sessions close and unsubscribe
  storm storm-warm "$STORM" 1
  sleep 5
  storm storm-return "$STORM" 1 storm-warm
  stop_server
  start_server storm-restart
  storm storm-restart "$STORM" 0 storm-warm
}
step_idle() {
  stop_server
  start_server idle
  for n in $IDLE; do idle "$n"; done
  stop_server
}

# the results file's first lines: the machine, the server, the machine's state
setting_lines() {
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB; Java $(java -version 2>&1 | head -1 | cut -d'"' -f2); RabbitMQ $(timeout 30 rabbitmqctl -q version 2>/dev/null || echo '?'); file descriptors per process: $FD_LIMIT (hard limit)"
  echo "- server: $(server_name), -Xmx2g, G1; WAR built from $SERVER_FROM${BENCH_BASELINE:+; baseline WAR from $BASE_FROM}"
  echo "- everything on one machine: broker, server and load generator share the cores; the broker's CPU"
  echo "  time is the whole beam.smp process, so another user of the same broker at the same time counts too"
  echo "- machine state: $QUIET; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

[ "${BASH_SOURCE[0]}" = "$0" ] || return 0   # sourced: the functions only

# ---- the run
wait_quiet
build
log "broker: beam.smp pid ${BROKER_PID:-not found}"
if [ "${BENCH_PERFTEST:-1}" = 1 ]; then
perftest today --producers 10 --consumers 10 --flag persistent --confirm 100 --qos 100
# The chat's shape: every queue has its own producer channel and consumer channel, one message in
# flight on each. 10 connections x 100 channels each way (as the server multiplexes its channels on
# few connections): PerfTest gives every channel its own queue of the pattern, so all 1,000 carry
# traffic (checked with a publish-only run and rabbitmqctl list_queues). --producers 1000
# --consumers 1000 would open 2,000 connections, past this broker's socket limit (832 with its
# 1,024 descriptors): the 832nd connection timed out.
CHAT_SHAPE=(--producers 10 --producer-channel-count 100 --consumers 10 --consumer-channel-count 100 --confirm 1 --qos 1)
perftest chat "${CHAT_SHAPE[@]}" --flag persistent
perftest chat-transient "${CHAT_SHAPE[@]}"
fi
clean_queues lat- "$LAT_CONN"; clean_queues max- "$MAX_CONN"; clean_queues sus- "$MAX_CONN"; clean_queues maxmqtt- "$MAX_CONN"   # leftovers of a run that was cut short
for step in ${BENCH_STEPS:-step_latency step_max step_max_mqtt step_storm step_idle}; do
  for b in "${BUILDS[@]}"; do use_build "$b"; "$step"; done
done
stop_server

# ---- the results file
PERF_RATE=$(kv "$RUN/perftest-today.kv" received_per_s)
CHAT_CEILING=$(kv "$RUN/perftest-chat.kv" received_per_s)
ratio() { awk -v c="${1:-0}" -v p="${2:-0}" -v k="${3:-1}" 'BEGIN { if (p > 0 && c > 0) printf "%.2f", k * c / p; else print "?" }'; }
change() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b != "" && b ~ /^[0-9.]+$/) printf "%+.0f %%", 100 * (b - a) / a; else print "" }'; }
row() {   # label file
  local f=$RUN/$2.txt
  [ -f "$f" ] || return 0
  echo "| $1 | $(kv "$f" mode) | $(kv "$f" connections_greeted) | $(kv "$f" sent) | $(kv "$f" received_per_s) | $(kv "$f" delivered_per_s) | $(kv "$f" e2e_p50_ms) / $(kv "$f" e2e_p99_ms) / $(kv "$f" e2e_p999_ms) / $(kv "$f" e2e_max_ms) | $(kv "$f" queued_p50_ms) / $(kv "$f" queued_p99_ms) | $(kv "$f" delivered_p50_ms) / $(kv "$f" delivered_p99_ms) | $(kv "$f" errors) $(grep -E '^(ack_)?error_|^closed_|^(ws|mqtt)_error' "$f" | tr '\n' ' ') | $(kv "$f" lost) | $(kv "$f" server_cpu_ms_per_message) ($(kv "$f" server_jit_cpu_ms_per_message)) | $(kv "$f" broker_cpu_ms_per_message) | $(kv "$f" generator_cpu_ms_per_message) | $(kv "$f" server_cores) / $(kv "$f" broker_cores) | $(kv "$f" machine_busy_pct) % |"
}
perf_row() {   # label name
  local f=$RUN/perftest-$2.kv
  [ -f "$f" ] || return 0
  echo "| $1 | **$(kv "$f" received_per_s)** | $(kv "$f" received_per_s_avg) | $(kv "$f" broker_cpu_ms_per_message) | $(kv "$f" broker_cores) | $(kv "$f" perftest_cores) | $(kv "$f" machine_busy_pct) % | $(kv "$f" consumer_latency_us) |"
}
step_row() {   # label file
  local f=$RUN/$2.txt c s v
  [ -f "$f" ] || return 0
  c="| $1 |"
  for s in handshake auth open inbox_queued inbox_declare inbox_consume presence_queued presence_bind greet; do
    v=$(kv "$f" "step_${s}_cpu_ms_per_connection")
    c+=" $(kv "$f" "step_${s}_wall_ms")${v:+ / $v} |"
  done
  echo "$c $(kv "$f" broker_packets_received_per_connection) / $(kv "$f" broker_packets_sent_per_connection) |"
}
storm_row() {   # label file
  local f=$RUN/$2.txt
  [ -f "$f" ] || return 0
  echo "| $1 | $(kv "$f" storm_connections) | $(kv "$f" storm_greeted) | $(kv "$f" connect_failures) | $(kv "$f" storm_p50_ms) | $(kv "$f" storm_p90_ms) | $(kv "$f" storm_p99_ms) | $(kv "$f" storm_all_ms) | $(kv "$f" storm_own_attempt_p50_ms) / $(kv "$f" storm_own_attempt_p99_ms) | $(kv "$f" server_cpu_ms_per_connection) | $(kv "$f" broker_cpu_ms_per_connection) |"
}
label() { [ "${#BUILDS[@]}" -gt 1 ] && echo "$1 ($BUILD_NAME)" || echo "$1"; }
# Issue 25's goals, each beside this run's figure (per build) and the published figures it was set against
goals() {
  local b idle=${IDLE%% *} jit
  echo "## Against issue 25's goals"
  echo
  echo "| measure | $(for b in "${BUILDS[@]}"; do use_build "$b"; printf '%s | ' "$(label "this run")"; done)goal | the best published |"
  echo "|---|$(for b in "${BUILDS[@]}"; do printf -- '---:|'; done)---:|---|"
  goal_row() {   # label goal anchor file key [transform]
    printf '| %s | ' "$1"
    for b in "${BUILDS[@]}"; do use_build "$b"; printf '%s | ' "$(kv "$RUN/$P$4.txt" "$5")"; done
    printf '%s | %s |\n' "$2" "$3"
  }
  goal_row "heap per idle connection, KB ($idle held)" "≤ 12" "Jetty 9.4 ~13.7 KiB per WebSocket; RabbitMQ 3.12 native MQTT ~19.6 KiB per connection with its queue; EMQX ~9.7 KB" "idle-$idle" heap_per_connection_kb
  goal_row "server CPU per chat message, ms (closed loop after ${WARM_SECONDS} s of warm-up)" "≤ 0.25" "Centrifugo ~80 µs of CPU per delivery; a chat message is ~3 deliveries" max server_cpu_ms_per_message
  goal_row "$STORM users connecting at once, until all \`connected\`, ms" "≤ 4,000" "EMQX ~550 connections/s per core, each with a session" storm-cold storm_all_ms
  goal_row "start to ready (process start to /health/ready UP), s" "≤ 8" "" storm-start ready_seconds
  printf '| the JIT compiler threads'"'"' share of the server'"'"'s CPU in its first %s s under load | ' "$WARM_SECONDS"
  for b in "${BUILDS[@]}"; do
    use_build "$b"
    jit=$(awk -v j="$(kv "$RUN/${P}warm-max.txt" server_jit_cpu_ms_per_message)" -v a="$(kv "$RUN/${P}warm-max.txt" server_cpu_ms_per_message)" \
      'BEGIN { if (a + 0 > 0 && j ~ /^[0-9.]+$/) printf "%.0f %%", 100 * j / a }')
    printf '%s | ' "$jit"
  done
  printf '%s | %s |\n' "half of a third: ≤ 17 %" ""
  echo
}
{
  echo "# Benchmark results, $STAMP ($MODE)"
  echo
  setting_lines
  echo
  goals
  echo "## (a) Broker ceiling (PerfTest 2.22.1)"
  echo
  echo "1,000 queues (auto-delete), persistent unless said, publisher confirms, manual acks, ${PERF_SIZE} B, ${PERF_SECONDS} s."
  echo "Steady state: the mean of the one-second samples from the 5th to the ${PERF_SECONDS}th (every channel"
  echo "started, producers still running), and the broker's CPU time (beam.smp, /proc/<pid>/stat) over the same"
  echo "seconds divided by the messages received in them. The average over the whole run (ramp-up and tail) is beside it."
  echo
  echo "| shape | received msg/s (steady) | whole-run avg | broker CPU ms/msg | broker cores | PerfTest cores | machine busy | consumer latency min/p50/p75/p95/p99 µs |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  perf_row "today's: 10 producer + 10 consumer channels, 100 confirms / prefetch 100 each (each takes one queue: 10 of the 1,000 carry traffic)" today
  perf_row "**broker ceiling in the chat's shape**: a producer channel and a consumer channel per queue (10 connections × 100 channels each way), 1 confirm / prefetch 1 each" chat
  perf_row "the chat's shape, transient messages" chat-transient
  echo
  echo "## (b) The chat server"
  echo
  echo "Each chat message is two persistent, confirmed broker messages: the message into the recipient's inbox, and the"
  echo "\`delivered\` receipt into the sender's inbox after the recipient's ack (each consumed with a manual ack)."
  echo "CPU columns: each process's CPU time over the measurement window only (not connecting, warm-up or drain),"
  echo "divided by the chat messages received by their recipients in that window (n/a: none arrived in it);"
  echo "in brackets, the part of the server's that its JIT compiler threads took (C1/C2 CompilerThread*: warm-up, not a"
  echo "chat message's cost; a server minutes old on two cores still compiles). cores = CPU seconds per second. MQTT: the same users and frames over /mqtt (Eclipse Paho 1.2.5, PUBLISH QoS 1 to"
  echo "\`chat/out\`, SUBSCRIBE \`chat/in/<id>\` QoS 1, each PUBLISH received PUBACKed once recorded: a message's PUBACK is its ack)."
  echo
  echo "| run | load | connections | sent | received/s | delivered/s | send→receive p50 / p99 / p999 / max ms | send→queued p50 / p99 ms | send→delivered p50 / p99 ms | errors | lost | server CPU ms/msg (of it the JIT) | broker CPU ms/msg | generator CPU ms/msg | server / broker cores | machine busy |"
  echo "|---|---|---:|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|---|---:|"
  for b in "${BUILDS[@]}"; do
    use_build "$b"
    row "$(label "latency at $((LAT_RATE / 4)) msg/s")" "${P}latency-$((LAT_RATE / 4))"
    row "$(label "latency at $((LAT_RATE / 2)) msg/s")" "${P}latency-$((LAT_RATE / 2))"
    row "$(label "latency at ${LAT_RATE} msg/s")" "${P}latency"
    row "$(label "maximum (closed loop)")" "${P}max"
    row "$(label "maximum (closed loop), MQTT")" "${P}max-mqtt"
    row "$(label "sustained at 90 % of maximum")" "${P}sustained"
  done
  echo
  for b in "${BUILDS[@]}"; do
    use_build "$b"
    max=$(kv "$RUN/${P}max.txt" delivered_per_s)
    echo "- $(label "closed-loop maximum") ÷ broker ceiling in the chat's shape: **$(ratio "$max" "$CHAT_CEILING")** chat messages per"
    echo "  PerfTest message ($max / ${CHAT_CEILING:-?}); in broker messages (2 per chat message): **$(ratio "$max" "$CHAT_CEILING" 2)**."
    echo "  Against today's PerfTest shape: $(ratio "$max" "$PERF_RATE") ($max / ${PERF_RATE:-?}); in broker messages $(ratio "$max" "$PERF_RATE" 2)."
  done
  echo
  echo "## Connect storm"
  echo
  echo "Every user opens its WebSocket at the same instant (ws://127.0.0.1:$PORT/ws?id=..., auth mode none); the"
  echo "time from that instant until each one's \`{\"type\":\"connected\",...}\` frame. Cold: the first wave on a server"
  echo "just started (as after a restart); warm: a second wave of other users on the same server, 5 s after the"
  echo "first closed; return: the warm wave's users again, their inboxes kept (a network blip's storm);"
  echo "restart: the same users once more, on a server started anew (a restart storm)."
  echo "CPU per connection over the storm (connecting until all greeted or the 120 s limit)."
  echo
  echo "| storm | users | greeted | connect failures | p50 ms | p90 ms | p99 ms | all ms | own handshake → connected p50 / p99 ms | server CPU ms/conn | broker CPU ms/conn |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
  for b in "${BUILDS[@]}"; do
    use_build "$b"
    storm_row "$(label cold)" "${P}storm-cold"
    storm_row "$(label warm)" "${P}storm-warm"
    storm_row "$(label return)" "${P}storm-return"
    storm_row "$(label restart)" "${P}storm-restart"
  done
  echo
  echo "Per step, from the server's \`chat_connect_*\` timers read before and after each storm: mean wall ms per"
  echo "step (waits included; presence bind: per batch) / the CPU ms of the thread running it, per connection."
  echo "Broker packets: TCP packets the broker read from / wrote to the server's connections, per connection"
  echo "(connects and the disconnects that followed)."
  echo
  echo "| storm | handshake | auth (×2) | open | inbox queued | inbox declare | inbox consume | presence queued | presence bind | greet | broker packets in / out |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for b in "${BUILDS[@]}"; do
    use_build "$b"
    for w in cold warm return restart; do step_row "$(label $w)" "${P}storm-$w"; done
  done
  if [ "${#BUILDS[@]}" -gt 1 ]; then
    echo
    echo "## Before and after: baseline $BASE_FROM, this build $SERVER_FROM"
    echo
    echo "Same run, same broker, each step on a fresh server, baseline first."
    echo
    echo "| measure | baseline | this build | change |"
    echo "|---|---:|---:|---:|"
    compare_row() {   # label file key
      local a b; a=$(kv "$RUN/base-$2.txt" "$3"); b=$(kv "$RUN/$2.txt" "$3")
      echo "| $1 | ${a:-–} | ${b:-–} | $(change "${a:-}" "${b:-}") |"
    }
    compare_row "closed-loop maximum, delivered msg/s" max delivered_per_s
    compare_row "closed-loop maximum, send→receive p99 ms" max e2e_p99_ms
    compare_row "closed-loop maximum, server CPU ms/msg" max server_cpu_ms_per_message
    compare_row "closed-loop maximum, broker CPU ms/msg" max broker_cpu_ms_per_message
    compare_row "closed-loop maximum over MQTT, delivered msg/s" max-mqtt delivered_per_s
    compare_row "closed-loop maximum over MQTT, server CPU ms/msg" max-mqtt server_cpu_ms_per_message
    for r in $((LAT_RATE / 4)) $((LAT_RATE / 2)); do
      compare_row "$r msg/s over $LAT_CONN connections, p99 ms" "latency-$r" e2e_p99_ms
      compare_row "$r msg/s, server CPU ms/msg" "latency-$r" server_cpu_ms_per_message
    done
    compare_row "$LAT_RATE msg/s over $LAT_CONN connections, p99 ms" latency e2e_p99_ms
    compare_row "$LAT_RATE msg/s, server CPU ms/msg" latency server_cpu_ms_per_message
    compare_row "$LAT_RATE msg/s, errors" latency errors
    for s in cold warm return restart; do
      compare_row "storm of $STORM ($s), p50 ms" "storm-$s" storm_p50_ms
      compare_row "storm of $STORM ($s), p99 ms" "storm-$s" storm_p99_ms
      compare_row "storm of $STORM ($s), all ms" "storm-$s" storm_all_ms
    done
    for n in $IDLE; do
      compare_row "$n idle connections, heap KB per connection" "idle-$n" heap_per_connection_kb
    done
  fi
  echo
  echo "## Idle connections"
  echo
  echo "| target | open | greeted | inbox consumers | heap empty → held MB | heap per connection | RSS empty → held MB | RSS per connection |"
  echo "|---:|---:|---:|---:|---|---:|---|---:|"
  for b in "${BUILDS[@]}"; do
    use_build "$b"
    for n in $IDLE; do
      f=$RUN/${P}idle-$n.txt
      [ -f "$f" ] && echo "| $(label "$n") | $(kv "$f" opened) | $(kv "$f" greeted) | $(kv "$f" inbox_consumers) | $(kv "$f" heap_empty_mb) → $(kv "$f" heap_mb) | $(kv "$f" heap_per_connection_kb) KB | $(kv "$f" rss_empty_mb) → $(kv "$f" rss_mb) | $(kv "$f" rss_per_connection_kb) KB |"
    done
  done
  for b in "${BUILDS[@]}"; do
    use_build "$b"
    n=$(echo $IDLE | awk '{print $NF}')
    f=$RUN/${P}idle-$n-classes.md
    if [ -s "$f" ]; then
      echo
      echo "What one of the $(label "$n") idle connections holds: the classes that grew most between the empty server and"
      echo "the held connections (\`jmap -histo:live\`), per connection."
      echo
      echo "| bytes | objects | class |"
      echo "|---:|---:|---|"
      cat "$f"
    fi
  done
  echo
  echo "## Profile of the maximum run (JFR execution samples of the server${BENCH_BASELINE:+, this build})"
  echo
  head -80 "$RUN/max-top.md" 2>/dev/null || echo "(no profile)"
  echo
  echo "Reproduce: \`${BENCH_BASELINE:+BENCH_BASELINE=$BENCH_BASELINE }bench/run.sh${MODE:+ $MODE}\` (raw output in \`bench/target/$(basename "$RUN")/\`)."
} > "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
log "wrote $RESULTS"
