package com.estatechat.history.control;

import com.estatechat.history.entity.StoredMessage;
import jakarta.persistence.SharedCacheMode;
import jakarta.persistence.ValidationMode;
import jakarta.persistence.spi.ClassTransformer;
import jakarta.persistence.spi.PersistenceUnitInfo;
import jakarta.persistence.spi.PersistenceUnitTransactionType;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The conversation store's persistence unit, described in code instead of a
 * {@code persistence.xml}: the data source is chosen at run time by a setting, and a
 * {@code persistence.xml} would make Payara and WildFly also deploy a unit of their own on their
 * default data source. Resource-local (the store's writer commits its own batches); no schema
 * generation (Flyway owns the schema); no shared cache (several nodes write).
 */
final class StorePersistenceUnit implements PersistenceUnitInfo {

    static final String NAME = "estate-chat-history";

    /**
     * The classes directory (or jar) that holds the entity. Not the code source's location: on Payara
     * that names a file the provider cannot open as an archive.
     */
    private static final URL ROOT = root();

    private final DataSource dataSource;
    private final ClassLoader loader = StorePersistenceUnit.class.getClassLoader();

    private static URL root() {
        String entity = StoredMessage.class.getName().replace('.', '/') + ".class";
        String found = String.valueOf(StorePersistenceUnit.class.getClassLoader().getResource(entity));
        String root = found.endsWith(entity) ? found.substring(0, found.length() - entity.length()) : found;
        if (root.startsWith("jar:") && root.endsWith("!/")) {
            root = root.substring("jar:".length(), root.length() - 2);
        }
        try {
            return new URL(root);
        } catch (MalformedURLException e) {
            throw new IllegalStateException("the entity classes are at " + found + ", which is not a URL", e);
        }
    }

    StorePersistenceUnit(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override public String getPersistenceUnitName() { return NAME; }
    @Override public String getPersistenceProviderClassName() { return null; }
    @Override public PersistenceUnitTransactionType getTransactionType() { return PersistenceUnitTransactionType.RESOURCE_LOCAL; }
    @Override public DataSource getJtaDataSource() { return null; }
    @Override public DataSource getNonJtaDataSource() { return dataSource; }
    @Override public List<String> getMappingFileNames() { return List.of(); }
    @Override public List<URL> getJarFileUrls() { return List.of(); }
    @Override public URL getPersistenceUnitRootUrl() { return ROOT; }
    @Override public List<String> getManagedClassNames() { return List.of(StoredMessage.class.getName()); }
    @Override public boolean excludeUnlistedClasses() { return true; }
    @Override public SharedCacheMode getSharedCacheMode() { return SharedCacheMode.NONE; }
    @Override public ValidationMode getValidationMode() { return ValidationMode.NONE; }
    @Override public Properties getProperties() { return new Properties(); }
    @Override public String getPersistenceXMLSchemaVersion() { return "3.0"; }
    @Override public ClassLoader getClassLoader() { return loader; }
    @Override public void addTransformer(ClassTransformer transformer) { /* no weaving: entities are read-only views */ }
    @Override public ClassLoader getNewTempClassLoader() { return loader; }
}
