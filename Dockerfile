# Estate Chat on Payara Micro. Build: docker build -t estate-chat .
# Run:   docker run -p 8080:8080 -e CHAT_AMQP_URL=amqp://user:pass@rabbitmq:5672/%2F estate-chat
# Every chat.* key can be set as an environment variable: chat.amqp.url -> CHAT_AMQP_URL.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
RUN mvn -B -q -ntp dependency:go-offline || true
COPY src src
RUN mvn -B -q -ntp -DskipTests package

FROM payara/micro:6.2025.10-jdk17
# the image runs as its unprivileged "payara" user
COPY --from=build --chown=payara:payara /build/target/estate-chat.war /opt/payara/deployments/estate-chat.war
COPY --chown=payara:payara payara-config/ /opt/payara/config/
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/health/ready || exit 1
CMD ["--deploy", "/opt/payara/deployments/estate-chat.war", "--contextroot", "/", \
     "--postbootcommandfile", "/opt/payara/config/post-boot-commands.asadmin", "--nohazelcast"]
