# Estate Chat on Payara Micro, for operations. bin/container-test builds this file with podman and
# runs the image against the host's RabbitMQ and PostgreSQL (.ci/run does, on stand-in base images:
# see the README); compose.yaml runs it with both.
#
#   docker build -t estate-chat .
#   docker run -p 8080:8080 -e CHAT_AMQP_URL='amqp://chat:secret@rabbitmq:5672/%2F' estate-chat
#
# Every chat.* key can be set as an environment variable (chat.amqp.url -> CHAT_AMQP_URL); the
# configuration table of docs/operations.md lists them. Without CHAT_AMQP_URL the server starts but stays not ready and logs
# why: the image has no broker. The WAR's default auth mode (jwt) needs a key: CHAT_AUTH_JWT_SECRET or
# another, see docs/operations.md. PostgreSQL for the conversation store: CHAT_DB_HOST, CHAT_DB_PORT,
# CHAT_DB_NAME, CHAT_DB_USER, CHAT_DB_PASSWORD fill the image's pool (payara-config/datasource-from-env.asadmin),
# and CHAT_HISTORY_DATASOURCE=jdbc/estate-chat uses it; without them the store is embedded (H2 in a volume).
# JSON logs: append "--logproperties /opt/payara/config/logging-json.properties"
# to the CMD below (docker run ... estate-chat <the CMD with that change>).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
# a layer of dependencies that changes only with the pom
RUN mvn -B -q -ntp dependency:go-offline || true
COPY src src
# the WAR only: no tests, and no copy of Payara Micro (the runtime image has it)
RUN mvn -B -q -ntp -Dmaven.test.skip=true -Dmdep.skip=true package
# the PostgreSQL driver for the conversation store's JDBC resource (payara-config/post-boot-commands.asadmin)
RUN mvn -B -q -ntp dependency:copy -Dartifact=org.postgresql:postgresql:42.7.8 -DoutputDirectory=/build/lib \
    && mv /build/lib/postgresql-42.7.8.jar /build/lib/postgresql.jar
# the shipped post-boot file, then the pool that the environment fills in
COPY payara-config payara-config
RUN cat payara-config/post-boot-commands.asadmin payara-config/datasource-from-env.asadmin > /build/post-boot-commands.asadmin

FROM payara/micro:6.2025.10-jdk17
# the base image runs as its unprivileged "payara" user (uid 1000) from /opt/payara, with payara-micro.jar
# there (JVM_ARGS and MEM_MAX_RAM_PERCENTAGE tune the JVM)
USER payara
COPY --from=build --chown=payara:payara /build/target/estate-chat.war /opt/payara/deployments/estate-chat.war
COPY --chown=payara:payara payara-config/ /opt/payara/config/
COPY --from=build --chown=payara:payara /build/post-boot-commands.asadmin /opt/payara/config/post-boot-commands.asadmin
COPY --from=build --chown=payara:payara /build/lib/postgresql.jar /opt/payara/lib/postgresql.jar
# a fixed root directory and a class-data-sharing archive of the classes a start loads, made with this
# image's JDK (bin/micro-cds, bench/results/2026-12-07-start.md); the entrypoint starts through them,
# with the base image's JVM_ARGS, MEM_MAX_RAM_PERCENTAGE and MEM_XSS
COPY --chown=payara:payara bin/micro-cds /opt/payara/micro-cds
RUN bash /opt/payara/micro-cds make /opt/payara/cds /opt/payara/payara-micro.jar /opt/payara/deployments/estate-chat.war \
      --contextroot / --nohazelcast --prebootcommandfile /opt/payara/config/pre-boot-commands.asadmin
ENTRYPOINT ["bash", "/opt/payara/micro-cds", "start", "/opt/payara/cds"]
# the embedded conversation store (no chat.history.datasource) keeps its files here: mount a volume
ENV CHAT_HISTORY_EMBEDDED_PATH=/opt/payara/data/history
EXPOSE 8080
# ready = the broker connection is open; bash's /dev/tcp because the image has neither curl nor wget
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
CMD ["--deploy", "/opt/payara/deployments/estate-chat.war", "--contextroot", "/", \
     "--prebootcommandfile", "/opt/payara/config/pre-boot-commands.asadmin", \
     "--postbootcommandfile", "/opt/payara/config/post-boot-commands.asadmin", \
     "--logproperties", "/opt/payara/config/logging.properties", \
     "--addlibs", "/opt/payara/lib/postgresql.jar", \
     "--nohazelcast"]
