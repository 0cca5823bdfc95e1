package com.estatechat.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every package of the application says what it holds in a package-info.java: it is the code map. */
class PackageInfoTest {

    @Test
    void everyPackageHasItsPackageInfo() throws IOException {
        Path sources = Path.of("src", "main", "java");
        List<Path> packages;
        try (Stream<Path> files = Files.walk(sources)) {
            packages = files.filter(path -> path.toString().endsWith(".java")).map(Path::getParent).distinct().toList();
        }
        assertThat(packages).as("packages").isNotEmpty();
        assertThat(packages).as("packages without a package-info.java")
                .filteredOn(dir -> !Files.exists(dir.resolve("package-info.java"))).isEmpty();
    }
}
