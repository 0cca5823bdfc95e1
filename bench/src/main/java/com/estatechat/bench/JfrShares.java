package com.estatechat.bench;

import java.nio.file.Path;
import java.util.*;
import jdk.jfr.consumer.*;

/**
 * Reads a JFR recording and prints where the CPU samples and the allocation went: by library (anywhere on
 * the stack, and the top frame), by thread, and by the application method nearest the top. Usage:
 * {@code JfrShares recording.jfr [rows]}; beside {@link JfrTop}, which lists methods.
 */
public final class JfrShares {
    static String lib(String t) {
        if (t.startsWith("org.h2.")) return "h2";
        if (t.startsWith("org.eclipse.yasson")) return "yasson (JSON-B)";
        if (t.startsWith("org.eclipse.parsson") || t.startsWith("org.glassfish.json")) return "parsson (JSON-P)";
        if (t.startsWith("org.glassfish.tyrus")) return "tyrus";
        if (t.startsWith("org.glassfish.grizzly")) return "grizzly";
        if (t.startsWith("com.rabbitmq")) return "amqp-client";
        if (t.startsWith("com.estatechat")) return "estatechat";
        if (t.startsWith("fish.payara") || t.startsWith("com.sun.enterprise") || t.startsWith("org.glassfish")) return "payara/glassfish";
        if (t.startsWith("org.jboss.weld")) return "weld";
        if (t.startsWith("java.") || t.startsWith("jdk.") || t.startsWith("sun.")) return "jdk";
        return "other:" + t.substring(0, Math.max(0, t.lastIndexOf('.')));
    }
    public static void main(String[] a) throws Exception {
        int rows = a.length > 1 ? Integer.parseInt(a[1]) : 40;
        Map<String, Integer> anyLib = new HashMap<>(), selfLib = new HashMap<>(), app = new HashMap<>(), appTotal = new HashMap<>();
        Map<String, Long> allocApp = new HashMap<>(), allocType = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int n = 0; long allocTotal = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            String type = e.getEventType().getName();
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) continue;
            List<RecordedFrame> fs = st.getFrames();
            if (type.equals("jdk.ExecutionSample")) {
                n++;
                RecordedThread th = e.getThread("sampledThread");
                String tn = th == null ? "?" : th.getJavaName() == null ? th.getOSName() : th.getJavaName();
                tn = tn.replaceAll("[0-9]+", "#");
                threads.merge(tn, 1, Integer::sum);
                selfLib.merge(lib(fs.get(0).getMethod().getType().getName()), 1, Integer::sum);
                Set<String> seen = new HashSet<>(), seenM = new HashSet<>();
                String firstApp = null;
                for (RecordedFrame f : fs) {
                    String t = f.getMethod().getType().getName();
                    String l = lib(t);
                    if (seen.add(l)) anyLib.merge(l, 1, Integer::sum);
                    if (t.startsWith("com.estatechat")) {
                        String m = t.substring(t.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
                        if (firstApp == null) firstApp = m;
                        if (seenM.add(m)) appTotal.merge(m, 1, Integer::sum);
                    }
                }
                app.merge(firstApp == null ? "(no app frame)" : firstApp, 1, Integer::sum);
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                long w = e.getLong("weight");
                allocTotal += w;
                RecordedClass oc = e.getClass("objectClass");
                allocType.merge(oc == null ? "?" : oc.getName(), w, Long::sum);
                String firstApp = null;
                for (RecordedFrame f : fs) {
                    String t = f.getMethod().getType().getName();
                    if (t.startsWith("com.estatechat")) { firstApp = t.substring(t.lastIndexOf('.') + 1) + "." + f.getMethod().getName(); break; }
                }
                String where = firstApp == null ? "(no app frame) " + lib(fs.get(0).getMethod().getType().getName()) : firstApp;
                allocApp.merge(where, w, Long::sum);
            }
        }
        System.out.println("execution samples: " + n + "; allocation weight: " + allocTotal / 1048576 + " MB");
        print("library anywhere on the stack", anyLib, n, rows);
        print("library of the top frame", selfLib, n, rows);
        print("thread", threads, n, 15);
        print("nearest application frame to the top", app, n, rows);
        print("application method anywhere on the stack", appTotal, n, rows);
        printL("allocation by nearest application frame", allocApp, allocTotal, rows);
        printL("allocation by class", allocType, allocTotal, 20);
    }
    static void print(String title, Map<String, Integer> m, int n, int rows) {
        System.out.println("\n| " + title + " | samples | share |\n|---|---:|---:|");
        m.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(rows)
            .forEach(x -> System.out.printf(Locale.ROOT, "| `%s` | %d | %.1f%% |%n", x.getKey(), x.getValue(), 100.0 * x.getValue() / Math.max(1, n)));
    }
    static void printL(String title, Map<String, Long> m, long n, int rows) {
        System.out.println("\n| " + title + " | MB | share |\n|---|---:|---:|");
        m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(rows)
            .forEach(x -> System.out.printf(Locale.ROOT, "| `%s` | %d | %.1f%% |%n", x.getKey(), x.getValue() / 1048576, 100.0 * x.getValue() / Math.max(1, n)));
    }
}
