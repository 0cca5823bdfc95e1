package com.estatechat.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The README and every page in {@code docs/} link to files and headings that exist: each relative
 * {@code ](path#anchor)} names a file or directory of the repository, and each anchor the GitHub
 * slug of a heading in the page it names. Moving a section to another page breaks the links to it;
 * this test says which.
 */
class DocsLinksTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*|^//.*");

    private final Map<Path, Set<String>> anchors = new HashMap<>();

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<Path> pages = pages();
        assertThat(pages).as("README.md and docs/*.md").hasSizeGreaterThan(1);
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            Matcher link = LINK.matcher(INLINE_CODE.matcher(prose(read(page))).replaceAll("code"));
            while (link.find()) {
                String target = link.group(1);
                if (SCHEME.matcher(target).matches()) {
                    continue;
                }
                checked++;
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? "" : target.substring(hash + 1);
                Path file = path.isEmpty() ? page : page.getParent().resolve(path).normalize();
                String where = ROOT.relativize(page) + ": ](" + target + ")";
                if (!file.startsWith(ROOT) || !Files.exists(file)) {
                    broken.add(where + ": no file " + (file.startsWith(ROOT) ? ROOT.relativize(file) : file));
                } else if (!anchor.isEmpty() && !file.toString().endsWith(".md")) {
                    broken.add(where + ": an anchor into a file that is not Markdown");
                } else if (!anchor.isEmpty() && !anchorsOf(file).contains(anchor)) {
                    broken.add(where + ": no heading with the slug '" + anchor + "' in " + ROOT.relativize(file));
                }
            }
        }
        assertThat(broken).as("broken links in README.md and docs/").isEmpty();
        assertThat(checked).as("relative links checked").isGreaterThan(50);
    }

    @Test
    void readmeOpensWithTheTwoCommands() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
        assertThat(lines.subList(0, 6)).containsExactly(
                "# Estate Chat",
                "",
                "```bash",
                "mvn -B -Prun package    # build and run the server on http://localhost:8080 (WebSocket: ws://localhost:8080/ws?id=<user>)",
                "bin/test                # set up RabbitMQ, PostgreSQL and Chromium if missing, then mvn -B verify (the whole suite)",
                "```");
    }

    @Test
    void ciRunsTheReadmesTestCommand() throws IOException {
        String command = Files.readAllLines(ROOT.resolve("README.md")).get(4).split("\\s+#", 2)[0].strip();
        assertThat(Files.readAllLines(ROOT.resolve(".ci/run"))).as(".ci/run").contains(command);
        assertThat(Files.isExecutable(ROOT.resolve(command.split(" ")[0]))).as(command + " is executable").isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "The protocol | the-protocol",
        "The conversation store's database | the-conversation-stores-database",
        "The protocol module: `js/estate-chat-client.js` | the-protocol-module-jsestate-chat-clientjs",
        "Identity as a client sees it | identity-as-a-client-sees-it",
        "Deploy and upgrade: one node at a time | deploy-and-upgrade-one-node-at-a-time",
        "RabbitMQ's side | rabbitmqs-side"})
    void slugsAreGitHubs(String heading, String slug) {
        assertThat(slug(heading)).isEqualTo(slug);
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\p{M}\\p{Pc} -]", "")
                .replace(' ', '-');
    }

    private Set<String> anchorsOf(Path page) {
        return anchors.computeIfAbsent(page, p -> {
            Set<String> slugs = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            for (String line : prose(read(p)).split("\n", -1)) {
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    String slug = slug(heading.group(2));
                    int n = seen.merge(slug, 1, Integer::sum) - 1;
                    slugs.add(n == 0 ? slug : slug + "-" + n);
                }
            }
            return slugs;
        });
    }

    /** The page with every line of a fenced code block blanked: a {@code #} there is no heading. */
    private static String prose(String markdown) {
        StringBuilder out = new StringBuilder();
        String fence = null;
        for (String line : markdown.split("\n", -1)) {
            String trimmed = line.strip();
            if (fence == null && (trimmed.startsWith("```") || trimmed.startsWith("~~~"))) {
                fence = trimmed.substring(0, 3);
                out.append('\n');
            } else if (fence != null) {
                if (trimmed.startsWith(fence)) {
                    fence = null;
                }
                out.append('\n');
            } else {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static String read(Path page) {
        try {
            return Files.readString(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
