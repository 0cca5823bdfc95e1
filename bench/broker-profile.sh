#!/usr/bin/env bash
# Where a RabbitMQ node's CPU goes when the chat server holds many mostly idle users (issue 25):
# a throwaway node of its own (bench-prof@localhost, AMQP 127.0.0.1:5682, distribution 25682,
# management 15682, everything under a fresh /tmp directory, stopped and removed at the end; the
# system broker on 5672 is not touched), a fresh Payara Micro against it, and bench's LoadGenerator:
#   idle   N connections held (default 2,000), nothing sent: the node's CPU over a window;
#   load   the same users at R msg/s open loop (default 250): the node's CPU per chat message;
# each window with the node's reductions per kind of process (registered name or initial call:
# queues, channels, readers, stats collectors...) and its schedulers' microstate accounting (msacc:
# emulator, gc, port, check_io...), taken by `rabbitmq-diagnostics eval` over the same seconds.
#
#   bench/broker-profile.sh [rounds=1] [variant ...]     (default variants: base mgmt)
#
# A variant is the broker's settings and the server's options for one pair of windows:
#   base       no plugins (the bench's broker: collect_statistics none)
#   mgmt       rabbitmq_management (collect_statistics fine, every 5 s)
#   mgmt60     the same, collect_statistics_interval = 60000
#   mgmtoff    the same, management_agent.disable_metrics_collector = true
#   ch1000     base, the server with chat.amqp.consumers-per-channel=1000 (2 consumer channels, not 40)
#   ch1        base, consumers-per-channel=1 (a channel per user, as before 2026-11-30)
#   transient  base, the server with chat.delivery.persistent-receipts=false
#   cqv2       base, a policy queue-version 2 on the inboxes (classic queues' new index)
#   lazy       base, a policy queue-mode lazy on the inboxes
#   c<N>, r<R> base, N connections or R msg/s instead of BENCH_CONN, BENCH_RATE (c200, r500)
#   closed     base, a closed loop instead of a rate (one message in flight per connection)
#   s1         base, the node's VM with one scheduler (+S 1:1) instead of one per core
#   spin       base, schedulers busy-wait a short while before sleeping (+sbwt short; RabbitMQ: none)
#   eprof      base, the load window's profile is eprof over every process instead (time per function,
#              eprof.txt; eprof slows the node, so its CPU figures do not count)
# Rounds are interleaved (each variant once, then again). Each variant-round takes the machine's
# measurement lock (/tmp/estate-it.lock, BENCH_LOCK) for itself, about 3-4 minutes.
# Environment: BENCH_CONN (2000), BENCH_RATE (250), BENCH_IDLE_SECONDS (30), BENCH_LOAD_SECONDS (40),
# BENCH_PORT (8181). Needs bench/target (mvn -f bench/pom.xml package), target/estate-chat.war and
# target/payara-micro.jar. Output: bench/target/broker-profile-<time>/ (summary.txt, a folder per run).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOCK=${BENCH_LOCK:-/tmp/estate-it.lock}
CONN=${BENCH_CONN:-2000} RATE=${BENCH_RATE:-250}
IDLE_S=${BENCH_IDLE_SECONDS:-30} LOAD_S=${BENCH_LOAD_SECONDS:-40}
PORT=${BENCH_PORT:-8181}
CP="$ROOT/bench/target/classes:$ROOT/bench/target/lib/*"
HZ=$(getconf CLK_TCK)
RMQ=/usr/lib/rabbitmq/bin

if [ "${1:-}" != --one ]; then
  ROUNDS=${1:-1}; shift || true
  VARIANTS=${*:-base mgmt}
  OUT=$ROOT/bench/target/broker-profile-$(date -u +%H%M%S)
  mkdir -p "$OUT"
  for r in $(seq 1 "$ROUNDS"); do
    for v in $VARIANTS; do
      BENCH_OUT=$OUT flock "$LOCK" "$0" --one "$v" "$r" | tee -a "$OUT/summary.txt"
    done
  done
  echo "results: $OUT"
  exit 0
fi

VARIANT=$2 ROUND=$3
RUN=$BENCH_OUT/$VARIANT-$ROUND
NODE_DIR=$(mktemp -d /tmp/bench-prof.XXXXXX)
mkdir -p "$RUN" "$NODE_DIR/home"
export HOME=$NODE_DIR/home RABBITMQ_CONF_ENV_FILE=$NODE_DIR/env.conf ERL_CRASH_DUMP=$RUN/erl_crash.dump
NODE=bench-prof@localhost
SERVER_PID= GEN_PID=
ctl() { timeout 120 "$RMQ/rabbitmqctl" -n "$NODE" "$@"; }
cleanup() {
  [ -n "$GEN_PID" ] && kill "$GEN_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  ctl stop >/dev/null 2>&1 || true
  rm -rf "$NODE_DIR"
}
trap cleanup EXIT

# ---- the node
cat > "$NODE_DIR/env.conf" <<EOF
NODENAME=$NODE
NODE_PORT=5682
DIST_PORT=25682
MNESIA_BASE=$NODE_DIR/mnesia
LOG_BASE=$NODE_DIR/log
CONFIG_FILE=$NODE_DIR/rabbitmq
ENABLED_PLUGINS_FILE=$NODE_DIR/enabled_plugins
ERL_EPMD_ADDRESS=127.0.0.1
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} $(case $VARIANT in
  s1) echo "+S 1:1" ;; spin) echo "+sbwt short" ;; esac)"
EOF
printf 'listeners.tcp.default = 127.0.0.1:5682\nmanagement.tcp.port = 15682\nmanagement.tcp.ip = 127.0.0.1\n' \
  > "$NODE_DIR/rabbitmq.conf"
echo '[].' > "$NODE_DIR/enabled_plugins"
SERVER_OPTS=
case $VARIANT in
  base|cqv2|lazy) ;;
  mgmt) echo '[rabbitmq_management].' > "$NODE_DIR/enabled_plugins" ;;
  mgmt60) echo '[rabbitmq_management].' > "$NODE_DIR/enabled_plugins"
          echo 'collect_statistics_interval = 60000' >> "$NODE_DIR/rabbitmq.conf" ;;
  mgmtoff) echo '[rabbitmq_management].' > "$NODE_DIR/enabled_plugins"
           echo 'management_agent.disable_metrics_collector = true' >> "$NODE_DIR/rabbitmq.conf" ;;
  ch1000) SERVER_OPTS=-Dchat.amqp.consumers-per-channel=1000 ;;
  ch1) SERVER_OPTS=-Dchat.amqp.consumers-per-channel=1 ;;
  transient) SERVER_OPTS=-Dchat.delivery.persistent-receipts=false ;;
  closed) RATE=0 ;;
  eprof|s1|spin) ;;
  c[0-9]*) CONN=${VARIANT#c} ;;
  r[0-9]*) RATE=${VARIANT#r} ;;
  *) echo "unknown variant $VARIANT" >&2; exit 2 ;;
esac
setsid "$RMQ/rabbitmq-server" > "$NODE_DIR/node.out" 2>&1 &
for _ in $(seq 1 60); do ctl await_startup >/dev/null 2>&1 && break; sleep 1; done
ctl await_startup >/dev/null || { cat "$NODE_DIR/node.out" >&2; exit 1; }
BROKER_PID=$(ss -ltnpH 'sport = :5682' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
case $VARIANT in
  cqv2) ctl set_policy --apply-to queues inboxes '^bench\.inbox\.' '{"queue-version": 2}' >/dev/null ;;
  lazy) ctl set_policy --apply-to queues inboxes '^bench\.inbox\.' '{"queue-mode": "lazy"}' >/dev/null ;;
esac
cp "$NODE_DIR/rabbitmq.conf" "$NODE_DIR/enabled_plugins" "$RUN/"
tr '\0' ' ' < "/proc/$BROKER_PID/cmdline" > "$RUN/node-cmdline.txt"

# ---- the server
mkdir -p "$RUN/tmp"
# shellcheck disable=SC2086 # the variant's options are words on purpose
java -Xmx2g -XX:+UseG1GC -Djava.io.tmpdir="$RUN/tmp" $SERVER_OPTS \
  -Dchat.amqp.url=amqp://guest:guest@127.0.0.1:5682/%2F -Dchat.auth.mode=none -Dchat.allow-missing-origin=true \
  -Dchat.rate-limit.per-second=100000 -Dchat.rate-limit.burst=100000 -Dchat.inbox.max-per-sender=0 \
  -Dchat.amqp.exchange=bench.direct -Dchat.amqp.inbox-prefix=bench.inbox. \
  -Dchat.amqp.dead-letter-exchange=bench.dead-letter \
  -Dchat.history.queue=bench.history -Dchat.history.embedded-path="$RUN/history" \
  -jar "$ROOT/target/payara-micro.jar" --deploy "$ROOT/target/estate-chat.war" --contextroot / --port "$PORT" \
  --nohazelcast --nocluster > "$RUN/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 180); do
  curl -fsS "http://127.0.0.1:$PORT/health/ready" 2>/dev/null | grep -q '"UP"' && break
  sleep 1
done

ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# the node's reductions per kind of process and its schedulers' states over $1 ms, as Erlang terms
profile() {
  ctl eval "
    W = $1,
    Kind = fun(P) -> case erlang:process_info(P, [registered_name, dictionary, initial_call]) of
        undefined -> dead;
        [{registered_name, []}, {dictionary, D}, {initial_call, IC}] ->
          case proplists:get_value('\$initial_call', D) of {M, _, _} -> M; _ -> element(1, IC) end;
        [{registered_name, N}, _, _] -> N end end,
    Snap = fun() -> maps:from_list([{P, R} || P <- erlang:processes(),
                                            {reductions, R} <- [erlang:process_info(P, reductions)]]) end,
    msacc:start(), msacc:reset(), S0 = Snap(), timer:sleep(W), S1 = Snap(), Stats = msacc:stats(), msacc:stop(),
    Diff = maps:fold(fun(P, R1, Acc) -> case R1 - maps:get(P, S0, 0) of
        D when D > 0 -> maps:update_with(Kind(P), fun({X, C}) -> {X + D, C + 1} end, {D, 1}, Acc);
        _ -> Acc end end, #{}, S1),
    Total = lists:sum([X || {X, _} <- maps:values(Diff)]),
    Top = lists:sublist(lists:reverse(lists:keysort(2, [{K, X, C} || {K, {X, C}} <- maps:to_list(Diff)])), 14),
    Types = [{T, maps:filter(fun(_, V) -> V > 0 end, C)} || #{type := T, counters := C} <- msacc:stats(type, Stats),
                                                          T =:= scheduler orelse T =:= dirty_cpu_scheduler orelse T =:= dirty_io_scheduler
                                                          orelse T =:= aux orelse T =:= poll],
    [{reductions_total, Total}, {processes, length(erlang:processes())},
     {top_kinds_reductions_processes_that_ran, Top}, {msacc_us, Types}]."
}

# ---- (a) idle: the connections held, nothing sent
GEN_OPTS=(--url "ws://127.0.0.1:$PORT/ws" --connections "$CONN" --prefix "bp-" --clock-ticks "$HZ")
timeout 400 java -cp "$CP" com.estatechat.bench.LoadGenerator "${GEN_OPTS[@]}" --mode idle --hold 300 \
  --ready-file "$RUN/idle.ready" --stop-file "$RUN/idle.stop" --out "$RUN/idle.txt" > "$RUN/idle.out" 2>&1 &
GEN_PID=$!
for _ in $(seq 1 200); do [ -f "$RUN/idle.ready" ] && break; sleep 1; done
sleep 15   # the connect's work done, queues and channels back at rest
b0=$(ticks "$BROKER_PID") s0=$(ticks "$SERVER_PID") t0=$(date +%s.%N)
profile "$((IDLE_S * 1000))" > "$RUN/idle-profile.txt" 2>&1 || true
b1=$(ticks "$BROKER_PID") s1=$(ticks "$SERVER_PID") t1=$(date +%s.%N)
ctl list_channels -q --no-table-headers name consumer_count > "$RUN/channels.txt" 2>&1 || true
ctl list_queues -q --no-table-headers name policy consumers > "$RUN/queues.txt" 2>&1 || true
touch "$RUN/idle.stop"; wait "$GEN_PID" || true; GEN_PID=
idle=$(awk -v b="$((b1 - b0))" -v s="$((s1 - s0))" -v t0="$t0" -v t1="$t1" -v hz="$HZ" \
  'BEGIN {printf "broker_cores=%.3f server_cores=%.3f seconds=%.1f", b / hz / (t1 - t0), s / hz / (t1 - t0), t1 - t0}')
echo "idle $idle greeted=$(cat "$RUN/idle.ready")" > "$RUN/idle-cpu.txt"

# ---- (b) load: the same users at $RATE msg/s, the node profiled over the generator's window
sleep 5
timeout 400 java -cp "$CP" com.estatechat.bench.LoadGenerator "${GEN_OPTS[@]}" --rate "$RATE" --window 1 --warmup 15 \
  --duration "$LOAD_S" --drain 15 --cpu-pids "broker:$BROKER_PID,server:$SERVER_PID" \
  --window-file "$RUN/load.window" --out "$RUN/load.txt" > "$RUN/load.out" 2>&1 &
GEN_PID=$!
for _ in $(seq 1 300); do [ -f "$RUN/load.window" ] && break; sleep 1; done
if [ "$VARIANT" = eprof ]; then
  ctl eval "eprof:start(), eprof:log(\"$RUN/eprof.txt\"), eprof:start_profiling(erlang:processes()),
    timer:sleep($(((LOAD_S - 10) * 1000))), eprof:stop_profiling(), eprof:analyze(total, [{sort, time}]), eprof:stop(), ok." \
    > "$RUN/load-profile.txt" 2>&1 || true
else
  profile "$(((LOAD_S - 5) * 1000))" > "$RUN/load-profile.txt" 2>&1 || true
fi
wait "$GEN_PID" || true; GEN_PID=
load=$(grep -E '^(mode|delivered_per_s|e2e_p99_ms|errors|lost|broker_cpu_ms_per_message|broker_cores|server_cpu_ms_per_message|server_cores)=' \
  "$RUN/load.txt" | tr '\n' ' ')
echo "$VARIANT round $ROUND: idle $idle | load $RATE/s $load| channels $(wc -l < "$RUN/channels.txt"), consumers $(awk '{n += $NF} END {print n}' "$RUN/channels.txt")"
