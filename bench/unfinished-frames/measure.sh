#!/bin/bash
# Issue 22: the live heap of Payara Micro with WAR before and while 100 anonymous /mqtt sockets each
# hold 3.9 MB of an unfinished 4 MB frame. Usage: bench/unfinished-frames/measure.sh PAYARA_MICRO_JAR WAR LABEL
# Needs RabbitMQ on 127.0.0.1:5672 (guest) and a JDK's jcmd; port 18480. Run it alone on the machine.
JAR=$1; WAR=$2; LABEL=$3; PORT=18480; HERE=$(cd "$(dirname "$0")" && pwd); OUT=${TMPDIR:-/tmp}/unfinished-frames-$LABEL-$$
mkdir -p "$OUT"
cat > "$OUT/chat.properties" <<P
chat.amqp.url=amqp://guest:guest@127.0.0.1:5672
chat.auth.mode=jwt
chat.auth.jwt.secret=integration-test-hs256-secret-mqtt-0123456789
chat.allowed-origins=*
chat.mqtt.connect-timeout=30s
chat.amqp.exchange=test.probe.$LABEL.$$
chat.amqp.inbox-prefix=test.probe.$LABEL.$$.inbox.
chat.amqp.dead-letter-exchange=test.probe.$LABEL.$$.dead-letter
chat.history.queue=test.probe.$LABEL.$$.history
chat.history.embedded-path=$OUT/history
P
java -Xmx2g -jar "$JAR" --deploy "$WAR" --contextroot / --port $PORT --nocluster \
  --systemproperties "$OUT/chat.properties" > "$OUT/server.log" 2>&1 &
PID=$!
for i in $(seq 1 180); do curl -sf http://127.0.0.1:$PORT/health/ready >/dev/null && break; sleep 1; done
jcmd $PID GC.run >/dev/null; sleep 1
echo "[$LABEL] live heap after start, after a GC: $(jcmd $PID GC.heap_info | grep -oE 'used [0-9]+K' | head -1)"
java "$HERE/HeapProbe.java" $PORT 100 $((3900*1024)) 15000 > "$OUT/probe.log" 2>&1 &
PROBE=$!
for i in $(seq 1 120); do grep -q SENT "$OUT/probe.log" && break; sleep 1; done
sleep 2
jcmd $PID GC.run >/dev/null; sleep 1
echo "[$LABEL] live heap with 100 sockets open, after a GC: $(jcmd $PID GC.heap_info | grep -oE 'used [0-9]+K' | head -1)"
wait $PROBE
cat "$OUT/probe.log"
kill $PID; wait $PID 2>/dev/null
