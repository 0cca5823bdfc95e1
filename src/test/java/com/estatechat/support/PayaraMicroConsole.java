package com.estatechat.support;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The main class of a Payara Micro process whose application a test undeploys and deploys again
 * ({@link PayaraMicroProcess#undeployable()}). Payara Micro has no admin listener and its
 * {@code --deploydir} is read at boot only, so this boots it as {@code java -jar payara-micro.jar}
 * does ({@code PayaraMicroLauncher.create}) and then takes commands from its standard input, one a
 * line: {@code undeploy} and {@code deploy} the WAR given with {@code --deploy}, through Payara
 * Micro's own API ({@code PayaraMicroRuntime}). Each answer is a line {@code [console N] ...} in the
 * process's output. It calls Payara Micro by reflection, so that the tests do not compile against
 * it, and it is a class of its own (no lambda, no inner class): the process's class path holds
 * this one file beside Payara Micro, not the test classes.
 */
public final class PayaraMicroConsole {

    private PayaraMicroConsole() {
    }

    public static void main(String[] args) throws Exception {
        List<String> options = List.of(args);
        File war = new File(options.get(options.indexOf("--deploy") + 1));
        String contextRoot = options.get(options.indexOf("--contextroot") + 1);
        String name = war.getName().replaceFirst("\\.war$", "");
        Object boot = Class.forName("fish.payara.micro.boot.PayaraMicroLauncher")
                .getMethod("create", String[].class).invoke(null, (Object) args);
        Object runtime = Class.forName("fish.payara.micro.boot.PayaraMicroBoot").getMethod("getRuntime").invoke(boot);
        Class<?> api = Class.forName("fish.payara.micro.PayaraMicroRuntime");
        Method undeploy = api.getMethod("undeploy", String.class);
        Method deploy = api.getMethod("deploy", String.class, String.class, File.class);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int sequence = 0;
        for (String command = commands.readLine(); command != null; command = commands.readLine()) {
            sequence++;
            long start = System.nanoTime();
            String outcome;
            try {
                if (command.equals("undeploy")) {
                    undeploy.invoke(runtime, name);
                    outcome = "undeployed " + name;
                } else if (command.equals("deploy")) {
                    outcome = Boolean.TRUE.equals(deploy.invoke(runtime, name, contextRoot, war))
                            ? "deployed " + name : "failed: deploy answered false";
                } else {
                    outcome = "failed: unknown command " + command;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                outcome = "failed: " + e;
            }
            System.out.println("[console " + sequence + "] " + outcome + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            System.out.flush();
        }
    }
}
