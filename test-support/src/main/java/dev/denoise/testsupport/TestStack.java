package dev.denoise.testsupport;

import dev.denoise.localstack.StackEndpoints;

/** A broker and a registry that live as long as the test JVM. */
interface TestStack extends AutoCloseable {
    StackEndpoints endpoints();
}
