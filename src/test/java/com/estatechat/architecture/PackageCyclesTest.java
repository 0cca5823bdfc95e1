package com.estatechat.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages form no cycle, so that each feature can be read, tested and changed from its
 * dependencies up. Checked at two levels: between features ({@code chat}, {@code history}, ...)
 * and between the packages inside them ({@code chat.boundary}, {@code chat.control}, ...).
 */
class PackageCyclesTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("com.estatechat");
    }

    @Test
    void featuresFormNoCycle() {
        slices().matching("com.estatechat.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching("com.estatechat.(**)").should().beFreeOfCycles().check(main);
    }
}
