package com.estatechat.webapp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver. Both paths are given, so
 * Selenium Manager never runs (it would try to download a driver and a browser). Every browser
 * gets a fresh profile under target/, so no two share storage and nothing leaks between runs.
 * Public for the Payara Server admin console's test.
 */
public final class HeadlessChromium {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path PROFILES = Path.of("target", "chromium-profiles");

    private HeadlessChromium() {
    }

    public static boolean installed() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    public static ChromeDriver start(String name) {
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                // /dev/shm is small in containers; chromium falls back to /tmp with this
                "--disable-dev-shm-usage", "--window-size=1280,800", "--user-data-dir=" + freshProfile(name));
        // an alert must stay open for the test to see it, not be dismissed by the driver
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(PROFILES.resolve(name + "-chromedriver.log").toFile())
                .build();
        return new ChromeDriver(service, options);
    }

    private static String freshProfile(String name) {
        try {
            Files.createDirectories(PROFILES);
            return Files.createTempDirectory(PROFILES, name + "-").toAbsolutePath().toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a chromium profile under " + PROFILES, e);
        }
    }
}
