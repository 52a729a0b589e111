package dev.denoise.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that needs a real broker and registry ({@link KafkaStackExtension}). Tagged
 * {@value #TAG}: {@code ./mvnw test} leaves it out (the fast unit lane), {@code ./mvnw verify}
 * runs it with Failsafe.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KafkaStackExtension.class)
@Tag(KafkaStackTest.TAG)
public @interface KafkaStackTest {
    /** The tag of every test that starts real services; the build's lanes select by it. */
    String TAG = "integration";
}
