package com.estatechat.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.chat.entity.MessageFrame;
import com.estatechat.chat.entity.ReceiptFrame;
import com.estatechat.history.entity.HistoryEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The records JSON-B decodes keep their fields when their class lost the constructor's parameter
 * names, as a class retransformed by an agent does on JDK 17 (its MethodParameters attribute is
 * dropped, JDK-8240908). The test drops it itself, with ASM, and
 * decodes into that class, defined apart in a loader of its own.
 */
class DecodingWithoutParameterNamesTest {

    private final JsonCodec codec = new JsonCodec();

    static Stream<Record> decodedRecords() {
        return Stream.of(
                MessageFrame.of("m-1", "alice", "tenant", "bob", "hello", "2026-12-07T15:00:00Z").redelivered(true),
                ReceiptFrame.of("m-1", ReceiptFrame.DELIVERED, "bob", "c-1", "2026-12-07T15:00:01Z"),
                HistoryEvent.delivered("bob", "2026-12-07T15:00:01Z", "m-1", "alice", "tenant", "bob", "hello",
                        "c-1", "2026-12-07T15:00:00Z"));
    }

    @ParameterizedTest
    @MethodSource("decodedRecords")
    void recordKeepsItsFieldsWithoutParameterNames(Record original) throws Exception {
        Class<?> stripped = withoutParameterNames(original.getClass());
        Constructor<?> canonical = stripped.getDeclaredConstructor(Arrays.stream(stripped.getRecordComponents())
                .map(RecordComponent::getType).toArray(Class<?>[]::new));
        assertThat(canonical.getParameters()).as("the premise: no names left").noneMatch(Parameter::isNamePresent);

        Object decoded = codec.fromJson(codec.toJson(original), stripped);

        for (RecordComponent component : stripped.getRecordComponents()) {
            Object expected = original.getClass().getMethod(component.getName()).invoke(original);
            assertThat(component.getAccessor().invoke(decoded)).as(component.getName()).isEqualTo(expected);
        }
    }

    /** The class again, without any MethodParameters attribute, defined by a loader that only knows it. */
    private static Class<?> withoutParameterNames(Class<?> type) throws ClassNotFoundException {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(bytesOf(type)).accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature,
                        exceptions)) {
                    @Override
                    public void visitParameter(String parameterName, int parameterAccess) {
                        // left out: what a retransformation on JDK 17 does
                    }
                };
            }
        }, 0);
        return new SingleClassLoader(type.getName(), writer.toByteArray(), type.getClassLoader())
                .loadClass(type.getName());
    }

    private static byte[] bytesOf(Class<?> type) {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class SingleClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        SingleClassLoader(String name, byte[] bytes, ClassLoader parent) {
            super(parent);
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (!className.equals(name)) {
                return super.loadClass(className, resolve);
            }
            synchronized (getClassLoadingLock(className)) {
                Class<?> loaded = findLoadedClass(className);
                return loaded != null ? loaded : defineClass(className, bytes, 0, bytes.length);
            }
        }
    }
}
