package dev.denoise.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.denoise.schemas.serde.ConfluentWireFormat;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

    @Test
    void headerIsMagicZeroThenBigEndianId() {
        assertThat(ConfluentWireFormat.header(0x01020304)).containsExactly(0, 1, 2, 3, 4);
        assertThat(ConfluentWireFormat.header(258)).containsExactly(0, 0, 0, 1, 2);
    }

    @Test
    void readsTheIdAndLeavesTheBufferAtThePayload() {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 2, 42, 43});
        assertThat(ConfluentWireFormat.readSchemaId("t", buffer)).isEqualTo(258);
        assertThat(buffer.position()).isEqualTo(5);
    }

    @Test
    void refusesAWrongMagicByte() {
        assertThatThrownBy(() -> ConfluentWireFormat.readSchemaId("requests", ByteBuffer.wrap(new byte[] {7, 0, 0, 0, 1, 9})))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Unknown magic byte 0x07")
                .hasMessageContaining("requests");
    }

    @Test
    void refusesARecordTooShortForTheHeader() {
        assertThatThrownBy(() -> ConfluentWireFormat.readSchemaId("t", ByteBuffer.wrap(new byte[] {0, 0, 1})))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("3 bytes, too short");
    }
}
