#!/usr/bin/env bash
# Compares two builds of the server under the same load, interleaved (A B A B ...), each on a fresh
# Payara Micro: closed-loop throughput, the server's CPU time per chat message, and (for a build with
# the conversation store, on its embedded database) the events written and their lag p99; the
# server's and the broker's CPU per chat message over the measurement window.
#   bench/ab.sh A.war B.war [rounds=2] [connections=500] [seconds=20]
#   BENCH_RATE=500 bench/ab.sh ...          open loop at 500 msg/s instead of closed loop
#   BENCH_HISTORY=postgresql bench/ab.sh ... the conversation store on the local PostgreSQL
#   BENCH_WINDOW=8 bench/ab.sh ...          closed loop with 8 messages per connection not yet delivered (1)
#   BENCH_A_OPTS=... BENCH_B_OPTS=...       extra JVM options for A's or B's server: the same WAR twice
#                                           with one setting changed, e.g. -Dchat.delivery.max-receipts-per-message=1
# Needs bench/target (mvn -f bench/pom.xml package) and target/payara-micro.jar. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=$PWD/bench
A=$1 B=$2 ROUNDS=${3:-2} CONN=${4:-500} SECS=${5:-20}
PORT=${BENCH_PORT:-8181}
# BENCH_RATE=<msg/s>: open loop at that rate (latency from the intended send time); else closed loop
LOAD="--window ${BENCH_WINDOW:-1}"
if [ -n "${BENCH_RATE:-}" ]; then LOAD="--rate $BENCH_RATE"; fi
AMQP=${BENCH_AMQP:-amqp://guest:guest@127.0.0.1:5672}
OUT=$BENCH/target/ab-$(date -u +%H%M%S)
CP="$BENCH/target/classes:$BENCH/target/lib/*"
PAYARA=${BENCH_PAYARA:-$PWD/target/payara-micro.jar}
mkdir -p "$OUT/tmp"
ulimit -n "$(ulimit -Hn)" || true
SERVER_PID=
# the broker's Erlang VM (the oldest beam.smp running rabbit: rabbitmqctl starts short-lived ones)
BROKER_PID=$(pgrep -o -f 'beam.smp.*rabbit' || pgrep -o -f beam.smp || echo 0)
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true' EXIT

# BENCH_HISTORY=postgresql: each server's conversation store in a fresh schema of the local PostgreSQL
# (127.0.0.1:5432, user postgres, trust), through a pool and JDBC resource created at boot as an operator
# does; else the embedded H2 store (in the server's own JVM, so its CPU counts as the server's)
history_options() {   # label round
  if [ "${BENCH_HISTORY:-embedded}" != postgresql ]; then return; fi
  local schema="bench_$1$2_$(date +%s)"
  psql -h 127.0.0.1 -U postgres -q -c "CREATE SCHEMA $schema" postgres >/dev/null
  cat > "$OUT/post-boot-$1-$2.asadmin" <<EOF
create-jdbc-connection-pool --datasourceclassname=org.postgresql.ds.PGSimpleDataSource --restype=javax.sql.DataSource --property=serverName=127.0.0.1:portNumber=5432:databaseName=postgres:user=postgres:password=unused:currentSchema=$schema bench-pool
create-jdbc-resource --connectionpoolid=bench-pool jdbc/bench
EOF
  echo "--addlibs $PWD/target/postgresql.jar --postbootcommandfile $OUT/post-boot-$1-$2.asadmin -Dchat.history.datasource=jdbc/bench"
}

one() {   # label war round
  local history; history=$(history_options "$1" "$3")
  local store_property=; local store_options=
  if [ -n "$history" ]; then store_property=${history##* }; store_options=${history% *}; fi
  local side_options_name="BENCH_$1_OPTS"; local side_options=${!side_options_name:-}
  # shellcheck disable=SC2086 # the store's and the side's options are words on purpose
  java -Xmx2g -XX:+UseG1GC -Djava.io.tmpdir="$OUT/tmp" $store_property $side_options \
    -Dchat.amqp.url="$AMQP/%2F" -Dchat.auth.mode=none -Dchat.allow-missing-origin=true \
    -Dchat.rate-limit.per-second=100000 -Dchat.rate-limit.burst=100000 -Dchat.inbox.max-per-sender=0 \
    -Dchat.amqp.exchange=bench.direct -Dchat.amqp.inbox-prefix=bench.inbox. \
    -Dchat.amqp.dead-letter-exchange=bench.dead-letter \
    -Dchat.history.queue=bench.history -Dchat.history.embedded-path="$OUT/history-$1-$3" \
    -jar "$PAYARA" --deploy "$2" --contextroot / --port "$PORT" --nohazelcast --nocluster $store_options \
    > "$OUT/server-$1-$3.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/health/ready" 2>/dev/null | grep -q '"UP"' && break
    sleep 1
  done
  local prefix="ab$1$3-"
  # the server's and the broker's CPU over the measurement window only, per chat message received in it
  timeout 300 java -cp "$CP" com.estatechat.bench.LoadGenerator --url "ws://127.0.0.1:$PORT/ws" \
    --connections "$CONN" --prefix "$prefix" $LOAD --warmup 10 --duration "$SECS" --drain 20 \
    --cpu-pids "server_window:$SERVER_PID,broker:$BROKER_PID" --clock-ticks "$(getconf CLK_TCK)" \
    --out "$OUT/$1-$3.txt" > /dev/null 2>&1 || true
  # the conversation store's lag (event to commit), where the build has one: its timer's p99. Payara
  # 6.2025.10 exports a timer's quantiles in nanoseconds (its _sum in seconds): read as nanoseconds
  local metrics; metrics=$(curl -fsS "http://127.0.0.1:$PORT/metrics?scope=application" 2>/dev/null || true)
  echo "history_written=$(printf '%s\n' "$metrics" | awk '/^chat_history_written_total/ {print $2}')" >> "$OUT/$1-$3.txt"
  # receipts the broker stored, and the broker messages that carried them (a build that counts them)
  echo "receipts_stored=$(printf '%s\n' "$metrics" | awk '/^chat_receipts_stored_total/ {print $2}')" >> "$OUT/$1-$3.txt"
  echo "receipt_messages=$(printf '%s\n' "$metrics" | awk '/^chat_receipts_messages_total/ {print $2}')" >> "$OUT/$1-$3.txt"
  echo "history_lag_p50_ms=$(printf '%s\n' "$metrics" | awk '/^chat_history_lag_seconds[{].*quantile="0.5"/ {printf "%.1f", $2 / 1e6}')" >> "$OUT/$1-$3.txt"
  echo "history_lag_p99_ms=$(printf '%s\n' "$metrics" | awk '/^chat_history_lag_seconds[{].*quantile="0.99"/ {printf "%.1f", $2 / 1e6}')" >> "$OUT/$1-$3.txt"
  echo "history_lag_max_ms=$(printf '%s\n' "$metrics" | awk '/^chat_history_lag_seconds_max/ {printf "%.1f", $2 / 1e6}')" >> "$OUT/$1-$3.txt"
  # the server's CPU over the whole run, per message sent (connecting included, the same for A and B)
  local ticks; ticks=$(awk '{print $14+$15}' "/proc/$SERVER_PID/stat")
  echo "server_cpu_ms_per_message=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$(grep -m1 '^sent=' "$OUT/$1-$3.txt" | cut -d= -f2)" 'BEGIN {printf "%.2f", t * 1000 / hz / n}')" >> "$OUT/$1-$3.txt"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  java -cp "$CP" com.estatechat.bench.QueueCleaner "$AMQP" "bench.inbox.$prefix" "$CONN" > /dev/null 2>&1 || true
  echo "$1 round $3: $(grep -E '^(delivered_per_s|e2e_p50_ms|e2e_p99_ms|errors|lost|server_cpu_ms_per_message|server_window_cpu_ms_per_message|server_window_jit_cpu_ms_per_message|server_window_store_cpu_ms_per_message|broker_cpu_ms_per_message|history_written|receipts_stored|receipt_messages|history_lag_p50_ms|history_lag_p99_ms|history_lag_max_ms)=' "$OUT/$1-$3.txt" | tr '\n' ' ')"
}
for r in $(seq 1 "$ROUNDS"); do
  one A "$A" "$r"
  one B "$B" "$r"
done | tee "$OUT/summary.txt"
