package com.estatechat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The CPU time used so far by a few named processes (utime + stime from {@code /proc/<pid>/stat})
 * and by the whole machine ({@code /proc/stat}), at one instant. Two snapshots give each process's
 * CPU over a measurement window, so a step can report what one chat message costs the server and
 * the broker separately, without the connecting and draining around the window. For a JVM it also
 * counts its JIT compiler threads ({@code C1/C2 CompilerThread*}, from {@code /proc/<pid>/task}),
 * reported apart: on a server a few minutes old on two cores, C2 took up to 40 % of the server's
 * CPU in a measurement window (2026-12-01), which is warm-up, not the cost of a chat message. And,
 * apart too, the conversation store's threads (the history writer's and the embedded H2's own), so
 * that a change to the store shows beside the noise of the rest.
 */
final class CpuSnapshot {

    private final long nanos;
    private final Map<String, Long> ticks = new LinkedHashMap<>();
    private final Map<String, Long> jitTicks = new LinkedHashMap<>();
    private final Map<String, Long> storeTicks = new LinkedHashMap<>();
    private final long machineBusy;
    private final long machineIdle;

    private CpuSnapshot(Map<String, Long> pids) {
        this.nanos = System.nanoTime();
        pids.forEach((name, pid) -> {
            ticks.put(name, processTicks(pid));
            jitTicks.put(name, threadTicks(pid, CpuSnapshot::compiler));
            storeTicks.put(name, threadTicks(pid, CpuSnapshot::store));
        });
        long[] machine = machineTicks();
        this.machineBusy = machine[0];
        this.machineIdle = machine[1];
    }

    static CpuSnapshot take(Map<String, Long> pids) {
        return new CpuSnapshot(pids);
    }

    /** {@code name:pid,name:pid}, plus this process as {@code generator}. */
    static Map<String, Long> parsePids(String spec) {
        Map<String, Long> pids = new LinkedHashMap<>();
        if (spec != null) {
            for (String part : spec.split(",")) {
                String[] nameAndPid = part.split(":");
                if (nameAndPid.length == 2 && !nameAndPid[1].isBlank()) {
                    pids.put(nameAndPid[0], Long.parseLong(nameAndPid[1].trim()));
                }
            }
        }
        pids.put("generator", ProcessHandle.current().pid());
        return pids;
    }

    /**
     * Per process: CPU ms per unit of work ({@code <name>_cpu_ms_per_<unit>}; {@code n/a} when no
     * work was done in the window, as in a run so overloaded that nothing arrived in it) and the
     * average cores it kept busy; for the machine, the busy share of all cores.
     */
    void putSince(CpuSnapshot start, long work, String unit, long ticksPerSecond, Map<String, Object> result) {
        double seconds = (nanos - start.nanos) / 1e9;
        ticks.forEach((name, now) -> {
            Long before = start.ticks.get(name);
            if (now < 0 || before == null || before < 0) {
                result.put(name + "_cpu_ms_per_" + unit, "?");
                return;
            }
            double ms = (now - before) * 1000.0 / ticksPerSecond;
            result.put(name + "_cpu_ms_per_" + unit,
                    work > 0 ? String.format(Locale.ROOT, "%.2f", ms / work) : "n/a");
            result.put(name + "_cores", String.format(Locale.ROOT, "%.2f", seconds > 0 ? ms / 1000 / seconds : 0));
            putThreads(name + "_jit", start.jitTicks.get(name), jitTicks.get(name), seconds, work, unit, ticksPerSecond,
                    result);
            putThreads(name + "_store", start.storeTicks.get(name), storeTicks.get(name), seconds, work, unit,
                    ticksPerSecond, result);
        });
        long busy = machineBusy - start.machineBusy;
        long idle = machineIdle - start.machineIdle;
        result.put("machine_busy_pct", busy + idle > 0 ? 100 * busy / (busy + idle) : 0);
        result.put("cpu_window_seconds", String.format(Locale.ROOT, "%.1f", seconds));
    }

    /** A group of a process's threads over the window, when the process has them. */
    private static void putThreads(String key, Long before, Long now, double seconds, long work, String unit,
            long ticksPerSecond, Map<String, Object> result) {
        if (before != null && now != null && before >= 0 && now > 0) {
            double ms = (now - before) * 1000.0 / ticksPerSecond;
            result.put(key + "_cpu_ms_per_" + unit, work > 0 ? String.format(Locale.ROOT, "%.2f", ms / work) : "n/a");
            result.put(key + "_cores", String.format(Locale.ROOT, "%.2f", seconds > 0 ? ms / 1000 / seconds : 0));
        }
    }

    private static boolean compiler(String thread) {
        return thread.startsWith("C1 CompilerThre") || thread.startsWith("C2 CompilerThre");
    }

    /** The history writer and the embedded H2's threads (a thread's name is cut to 15 characters here). */
    private static boolean store(String thread) {
        return thread.startsWith("chat-history-wr") || thread.startsWith("H2-serializatio") || thread.equals("H2-save")
                || thread.startsWith("MVStore backgro");
    }

    /** -1 when the process is gone or unreadable. */
    private static long processTicks(long pid) {
        return statTicks(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** utime + stime of a process's or a thread's {@code stat}; -1 when gone or unreadable. */
    private static long statTicks(Path file) {
        try {
            String stat = Files.readString(file);
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The CPU ticks of the threads whose names {@code named} takes; 0 for none, -1 when unreadable. */
    private static long threadTicks(long pid, Predicate<String> named) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.filter(task -> {
                try {
                    return named.test(Files.readString(task.resolve("comm")).strip());
                } catch (IOException e) {
                    return false; // the thread ended
                }
            }).mapToLong(task -> Math.max(0, statTicks(task.resolve("stat")))).sum();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** busy (user, nice, system, irq, softirq) and idle (idle, iowait) ticks of all cores. */
    private static long[] machineTicks() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3])
                            + Long.parseLong(f[6]) + Long.parseLong(f[7]);
                    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                    return new long[] {busy, idle};
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the machine's share is reported as 0
        }
        return new long[] {0, 0};
    }
}
