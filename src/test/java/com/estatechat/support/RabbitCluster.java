package com.estatechat.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A three-node RabbitMQ cluster of our own on this machine, beside the system broker (node
 * {@code rabbit@localhost} on 5672, which this class never addresses): nodes {@code chatc1@localhost}
 * to {@code chatc3@localhost}, AMQP on 127.0.0.1:5681–5683, Erlang distribution on 25681–25683,
 * each with its data, logs and pid file under {@code target/rabbit-cluster}, no plugins, and an
 * Erlang cookie of their own (in a {@code HOME} of their own, which {@code rabbitmqctl} gets too).
 * {@link #close()} stops the nodes and deletes their files, also after a failed start.
 */
public final class RabbitCluster implements AutoCloseable {

    /** RabbitMQ's own scripts: {@code /usr/sbin}'s wrappers would run them as user rabbitmq, with its cookie. */
    static final Path BIN = Path.of(System.getProperty("rabbit.cluster.bin", "/usr/lib/rabbitmq/bin"));
    private static final int NODES = 3;
    private static final int FIRST_AMQP_PORT = 5681;
    private static final int FIRST_DIST_PORT = 25681;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

    /** One node: its name, ports and files, and the {@code rabbitmq-server} process we started. */
    private record Node(String name, int amqpPort, int distPort, Path dir, Process process) {
    }

    private final Path base;
    private final Map<String, String> environment = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Thread onJvmExit = new Thread(this::close, "rabbit-cluster-teardown");
    private Duration startedIn;

    private RabbitCluster(Path base) {
        this.base = base;
    }

    /** Whether this machine has RabbitMQ's server scripts, so that nodes of our own can start at all. */
    public static boolean installed() {
        return Files.isExecutable(BIN.resolve("rabbitmq-server")) && Files.isExecutable(BIN.resolve("rabbitmqctl"));
    }

    /** Starts three nodes at once, joins the second and third to the first, and waits until all three run. */
    public static RabbitCluster start() {
        RabbitCluster cluster = new RabbitCluster(Path.of("target", "rabbit-cluster").toAbsolutePath());
        Runtime.getRuntime().addShutdownHook(cluster.onJvmExit);
        try {
            cluster.boot();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void boot() {
        long started = System.nanoTime();
        prepareFiles();
        for (int i = 1; i <= NODES; i++) {
            nodes.add(launch("chatc" + i + "@localhost", FIRST_AMQP_PORT + i - 1, FIRST_DIST_PORT + i - 1));
        }
        // each node boots on its own first; only then can it be told to join
        parallel(nodes, node -> {
            rabbitmqctl(node.name(), "wait", node.dir().resolve("pid").toString(), "--timeout", "120");
        });
        long booted = System.nanoTime();
        String first = nodes.get(0).name();
        // one at a time: two nodes joining at once change the cluster's schema together, and one of
        // them can fail to start (mnesia_app start failed, seen once in .ci/run)
        for (Node node : nodes.subList(1, NODES)) {
            rabbitmqctl(node.name(), "stop_app");
            rabbitmqctl(node.name(), "join_cluster", first);
            rabbitmqctl(node.name(), "start_app");
        }
        List<String> running = runningNodes(first);
        if (!running.containsAll(nodeNames())) {
            throw new IllegalStateException("the cluster runs " + running + ", not " + nodeNames() + "; see " + base);
        }
        startedIn = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("RabbitCluster: three nodes booted in %d ms, clustered %d ms later%n",
                (booted - started) / 1_000_000, (System.nanoTime() - booted) / 1_000_000);
    }

    private void prepareFiles() {
        try {
            TestFiles.deleteTree(base); // an earlier run that could not tear down
            Path home = Files.createDirectories(base.resolve("home"));
            Path cookie = home.resolve(".erlang.cookie");
            Files.writeString(cookie, "ESTATECHATTESTCLUSTER");
            // Erlang refuses a cookie that others can read
            Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
            // the system's rabbitmq-env.conf names the system node: read an empty one instead
            Files.writeString(base.resolve("rabbitmq-env.conf"), "");
            Files.writeString(base.resolve("enabled_plugins"), "[].\n");
            environment.put("HOME", home.toString());
            environment.put("RABBITMQ_CONF_ENV_FILE", base.resolve("rabbitmq-env.conf").toString());
            environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", base.resolve("enabled_plugins").toString());
            environment.put("RABBITMQ_ADVANCED_CONFIG_FILE", base.resolve("advanced.config").toString());
            environment.put("ERL_EPMD_ADDRESS", "127.0.0.1");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + base, e);
        }
    }

    private Node launch(String name, int amqpPort, int distPort) {
        try {
            Path dir = Files.createDirectories(base.resolve(name.substring(0, name.indexOf('@'))));
            // the system's rabbitmq.conf puts a listener on 5672: each node reads a file of its own
            Files.writeString(dir.resolve("rabbitmq.conf"), "listeners.tcp.1 = 127.0.0.1:" + amqpPort + "\n");
            ProcessBuilder builder = new ProcessBuilder(BIN.resolve("rabbitmq-server").toString())
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("console.log").toFile());
            builder.environment().putAll(environment);
            builder.environment().putAll(Map.of(
                    "RABBITMQ_NODENAME", name,
                    "RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1",
                    "RABBITMQ_NODE_PORT", String.valueOf(amqpPort),
                    "RABBITMQ_DIST_PORT", String.valueOf(distPort),
                    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}",
                    "RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString(),
                    "RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString(),
                    "RABBITMQ_LOG_BASE", dir.resolve("log").toString(),
                    "RABBITMQ_PID_FILE", dir.resolve("pid").toString()));
            return new Node(name, amqpPort, distPort, dir, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start RabbitMQ node " + name, e);
        }
    }

    /** How long {@link #start()} took, from nothing to three clustered nodes. */
    public Duration startedIn() {
        return startedIn;
    }

    /** The node names, first to third. */
    public List<String> nodeNames() {
        return nodes.stream().map(Node::name).toList();
    }

    /** Every node's AMQP address, {@code 127.0.0.1:5681,…}: a value for {@code chat.amqp.addresses}. */
    public String addresses() {
        return nodes.stream().map(node -> "127.0.0.1:" + node.amqpPort()).collect(Collectors.joining(","));
    }

    /** The broker application stops on that node (its Erlang VM stays up): its clients are disconnected. */
    public void stopApp(String node) {
        rabbitmqctl(node, "stop_app");
    }

    /** The broker application starts on that node again; returns once it accepts connections. */
    public void startApp(String node) {
        rabbitmqctl(node, "start_app"); // returns once the application has started
    }

    /** The nodes that run the broker application now, as {@code from} sees the cluster. */
    public List<String> runningNodes(String from) {
        // an Erlang list of atoms, [chatc1@localhost,chatc2@localhost]
        List<String> running = List.of(rabbitmqctl(from, "eval", "rabbit_nodes:all_running().")
                .replaceAll("[\\[\\]'\\s]", "").split(","));
        return nodeNames().stream().filter(running::contains).toList();
    }

    /**
     * The node each client connection is on, by the name its client gave it (the server names its
     * connections {@code estate-chat} and {@code estate-chat-publish}), as {@code from} sees the
     * cluster: one {@code list_connections}, which asks every running node.
     */
    public Map<String, String> connectionNodes(String from) {
        java.util.regex.Pattern named = java.util.regex.Pattern.compile("connection_name\\W+([^\"'>]+)[\"'>]");
        Map<String, String> byName = new HashMap<>();
        for (String line : rabbitmqctl(from, "list_connections", "-q", "--no-table-headers", "port",
                "client_properties").lines().toList()) {
            java.util.regex.Matcher name = named.matcher(line);
            if (name.find()) {
                int port = Integer.parseInt(line.trim().split("\t")[0].trim());
                nodes.stream().filter(node -> node.amqpPort() == port).findFirst()
                        .ifPresent(node -> byName.put(name.group(1), node.name()));
            }
        }
        return byName;
    }

    /** Runs {@code rabbitmqctl -n node arguments…} with the cluster's cookie; returns what it printed. */
    public String rabbitmqctl(String node, String... arguments) {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("rabbitmqctl").toString(), "-n", node));
        command.addAll(List.of(arguments));
        try {
            Path output = Files.createTempFile(Files.createDirectories(base), "rabbitmqctl", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in " + COMMAND_TIMEOUT.toSeconds() + " s");
            }
            String printed = Files.readString(output);
            Files.delete(output);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + process.exitValue() + ": " + printed);
            }
            return printed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs the action for each node at once (each is a few command-line calls of about a second); fails if one did. */
    private static void parallel(List<Node> nodes, java.util.function.Consumer<Node> action) {
        CompletableFuture.allOf(nodes.stream().map(node -> CompletableFuture.runAsync(() -> {
            if (!node.process().isAlive()) {
                throw new IllegalStateException("RabbitMQ node " + node.name() + " exited; see "
                        + node.dir().resolve("console.log"));
            }
            action.accept(node);
        })).toArray(CompletableFuture[]::new)).join();
    }

    /**
     * Stops every node we started (SIGTERM to its {@code rabbitmq-server} script, which runs
     * {@code rabbitmqctl stop}; SIGKILL to what is left of it after 30 s) and deletes the
     * cluster's files. Touches no process but ours: the script, and the Erlang VM it started.
     */
    @Override
    public synchronized void close() {
        // taken before the stop: once the script has gone, its children are nobody's descendants
        List<ProcessHandle> ours = new ArrayList<>();
        for (Node node : nodes) {
            ours.add(node.process().toHandle());
            // epmd is shared with the system broker (it ran before any of ours): never ours to stop
            node.process().descendants().filter(child -> !child.info().command().orElse("").endsWith("epmd"))
                    .forEach(ours::add);
        }
        nodes.forEach(node -> node.process().destroy());
        for (Node node : nodes) {
            try {
                node.process().waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ours.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        boolean gone = ours.stream().allMatch(handle -> {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        nodes.clear();
        try {
            TestFiles.deleteTree(base);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + base, e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onJvmExit);
            } catch (IllegalStateException e) {
                // the hook itself runs this while the JVM exits
            }
        }
        if (!gone) {
            throw new IllegalStateException("a process of the test cluster outlived SIGKILL: "
                    + ours.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList());
        }
    }

}
