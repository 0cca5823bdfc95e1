package com.estatechat.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Payara Server's admin console (no password) in a headless browser, used as an operator uses it:
 * Configurations → server-config → MicroProfile → Config → Property, source "domain".
 */
final class AdminConsole {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** The console deploys itself on its first visit: long on a busy two-core machine. */
    private static final Duration FIRST_VISIT = Duration.ofMinutes(4);

    private final ChromeDriver browser;
    private final URI root;

    AdminConsole(ChromeDriver browser, URI root) {
        this.browser = browser;
        this.root = root;
        // tall enough for the property table under the page's header, tabs and source in a screenshot
        browser.manage().window().setSize(new Dimension(1280, 1200));
    }

    /** Opens the console's home page and waits until its navigation tree is there. */
    void open() {
        browser.get(root.toString());
        new WebDriverWait(browser, FIRST_VISIT).pollingEvery(Duration.ofSeconds(2))
                .withMessage(() -> "the admin console never showed its tree; it shows: " + text())
                .until(driver -> !driver.findElements(By.partialLinkText("Configurations")).isEmpty());
    }

    /**
     * Opens server-config's MicroProfile node (the Config tab), then its Property tab, source "domain".
     * Through the tabs, as the tree leads there: the Property page opened straight by its URL answered
     * Add Property with HTTP 500 (JSF1007, a duplicate component id) on Payara 6.2025.9.
     */
    void openConfigProperties() {
        String microProfile = browser.findElement(
                By.cssSelector("a[href*='configConfiguration.jsf?configName=server-config']")).getAttribute("href");
        browser.get(microProfile);
        await("the Config tab's Property tab", () -> !browser.findElements(By.linkText("Property")).isEmpty());
        browser.findElement(By.linkText("Property")).click();
        await("the Property page with its Add Property button", () -> !addPropertyButtons().isEmpty());
    }

    /** Adds a row to the page's table (Add Property) and fills it in; nothing is stored before {@link #save()}. */
    void addProperty(String name, String value) {
        addPropertyButtons().get(0).click();
        await("an empty row after Add Property", () -> emptyNameField() != null);
        WebElement nameField = emptyNameField();
        nameField.sendKeys(name);
        valueField(nameField).sendKeys(value);
    }

    /** Saves the table and waits for the console's confirmation. */
    void save() {
        browser.findElement(By.id("propertyForm:propertyContentPage:topButtons:saveButton")).click();
        await("the confirmation of the save", () -> text().contains("New values successfully saved"));
    }

    /** Whether the page's table lists a property with this name and value. */
    boolean lists(String name, String value) {
        return nameFields().stream().anyMatch(field -> name.equals(field.getAttribute("value"))
                && value.equals(valueField(field).getAttribute("value")));
    }

    /** Writes target/screenshots/{state}.png and returns its path. */
    Path screenshot(String state) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(state + ".png");
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(SCREENSHOTS.resolve(state + ".html"), browser.getPageSource());
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the screenshot " + state, e);
        }
    }

    private List<WebElement> addPropertyButtons() {
        return browser.findElements(By.xpath("//input[@type='submit' and normalize-space(@value)='Add Property']"));
    }

    /** The name fields of the property table's rows ({@code …:rowGroup1:<n>:col2:col1St…}). */
    private List<WebElement> nameFields() {
        return browser.findElements(By.xpath("//input[@type='text' and contains(@id, ':col2:col1St')]"));
    }

    /** The value field in the row of a name field. */
    private WebElement valueField(WebElement nameField) {
        String id = nameField.getAttribute("id");
        String row = id.substring(0, id.indexOf(":col2:"));
        return browser.findElement(By.xpath("//input[@type='text' and starts-with(@id, '" + row + ":col3:col1St')]"));
    }

    private WebElement emptyNameField() {
        return nameFields().stream().filter(field -> field.getAttribute("value").isEmpty()).findFirst().orElse(null);
    }

    private String text() {
        return browser.findElement(By.tagName("body")).getText();
    }

    private void await(String what, java.util.function.BooleanSupplier condition) {
        // a click submits the form: what was found on the page may go stale while the next one loads
        new WebDriverWait(browser, Duration.ofSeconds(60)).pollingEvery(Duration.ofMillis(500))
                .ignoring(StaleElementReferenceException.class)
                .withMessage(() -> "the admin console never showed " + what + "; see " + screenshot("payara-console-failed"))
                .until(driver -> condition.getAsBoolean());
    }
}
