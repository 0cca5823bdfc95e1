#!/usr/bin/env bash
# The closed-loop maximum on ONE server that has run the same load for minutes first: what a chat
# message costs a server whose JIT has finished, which bench/run.sh's fresh servers are not (on two
# cores, C2 took up to 40 % of the server's CPU in run.sh's windows; see bench/results/2026-12-01-warmed-server.md).
#   bench/warmed.sh [war]        (default target/estate-chat.war; needs target/payara-micro.jar and bench/target)
# Environment: WARM (seconds of each warm-up: 90), ORDER (the measured runs in order: "ws mqtt ws"),
# PROFILE=1 (a JFR profile of each measured run), CONNECTIONS (1000). Output: bench/target/warmed-<time>/.
# Loopback only; the broker on 127.0.0.1:5672; the server on 8181.
set -euo pipefail
cd "$(dirname "$0")/.."
WAR=${1:-target/estate-chat.war}
OUT=$PWD/bench/target/warmed-$(date -u +%H%M%S); mkdir -p "$OUT/tmp"
CP="bench/target/classes:bench/target/lib/*"
AMQP=${BENCH_AMQP:-amqp://guest:guest@127.0.0.1:5672}
N=${CONNECTIONS:-1000}
BROKER_PID=$(pgrep -o -f 'beam.smp.*rabbit' || pgrep -o -f beam.smp || echo 0)
ulimit -n "$(ulimit -Hn)" || true
java -Xmx2g -XX:+UseG1GC -XX:+FlightRecorder -Djava.io.tmpdir="$OUT/tmp" \
  -Dchat.amqp.url="$AMQP/%2F" -Dchat.auth.mode=none -Dchat.allow-missing-origin=true \
  -Dchat.rate-limit.per-second=100000 -Dchat.rate-limit.burst=100000 -Dchat.inbox.max-per-sender=0 \
  -Dchat.amqp.exchange=bench.direct -Dchat.amqp.inbox-prefix=bench.inbox. \
  -Dchat.amqp.dead-letter-exchange=bench.dead-letter -Dchat.history.embedded-path="$OUT/history" \
  -jar target/payara-micro.jar --deploy "$WAR" --contextroot / --port 8181 --nohazelcast --nocluster \
  > "$OUT/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fsS http://127.0.0.1:8181/health/ready 2>/dev/null | grep -q '"UP"' && break; sleep 1; done
gen() {   # out, then generator options
  local out=$1; shift
  timeout 600 java -cp "$CP" com.estatechat.bench.LoadGenerator "$@" --connections "$N" --window 1 \
    --cpu-pids "server:$SERVER_PID,broker:$BROKER_PID" --clock-ticks "$(getconf CLK_TCK)" --out "$OUT/$out.txt" \
    > /dev/null 2>&1 || true
}
clean() { java -cp "$CP" com.estatechat.bench.QueueCleaner "$AMQP/%2F" "bench.inbox.$1" "$N" > /dev/null 2>&1 || true; }
# the warm-up is the measured load itself, over each transport
gen warm-ws --url ws://127.0.0.1:8181/ws --prefix wwarm- --warmup 0 --duration "${WARM:-90}" --drain 20; clean wwarm-
gen warm-mqtt --url ws://127.0.0.1:8181/mqtt --transport mqtt --prefix wwarmm- --warmup 0 --duration "${WARM:-90}" --drain 20; clean wwarmm-
i=0
for t in ${ORDER:-ws mqtt ws}; do
  i=$((i + 1))
  transport=(--url ws://127.0.0.1:8181/ws)
  [ "$t" = mqtt ] && transport=(--url ws://127.0.0.1:8181/mqtt --transport mqtt)
  [ "${PROFILE:-0}" = 1 ] && jcmd "$SERVER_PID" JFR.start name=w settings=profile filename="$OUT/$t$i.jfr" > /dev/null
  gen "$t$i" "${transport[@]}" --prefix "w$t$i-" --warmup 10 --duration 30 --drain 30
  [ "${PROFILE:-0}" = 1 ] && jcmd "$SERVER_PID" JFR.stop name=w > /dev/null
  clean "w$t$i-"
done
for f in "$OUT"/warm-*.txt "$OUT"/ws*.txt "$OUT"/mqtt*.txt; do
  [ -f "$f" ] || continue
  echo "$(basename "$f" .txt): $(grep -E '^(delivered_per_s|e2e_p50_ms|e2e_p99_ms|errors|lost|server_cpu_ms_per_message|server_jit_cpu_ms_per_message|server_cores|broker_cpu_ms_per_message|broker_cores|machine_busy_pct)=' "$f" | tr '\n' ' ')"
done | tee "$OUT/summary.txt"
