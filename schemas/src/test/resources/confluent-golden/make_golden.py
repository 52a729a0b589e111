#!/usr/bin/python3
"""Writes the golden Confluent wire-format records beside this script.

Each *.bin file is one record value exactly as Confluent's own Python serializer
(confluent_kafka.avro MessageSerializer.encode_record_with_schema_id) writes it:
magic byte 0, the schema id as a 4-byte big-endian integer, then the Avro binary
encoding. The schemas are the project's own, read from schemas/src/main/avro.

No registry is contacted: the registry client's cache is pre-filled with the
schema under GOLDEN_SCHEMA_ID, so the serializer finds the schema by id locally.

The record values must stay equal to those in AvroSerdeIntegrationTest
(goldenRequest / goldenImage); see README.md in this folder.
"""
import datetime
import os

from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.load import load
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

HERE = os.path.dirname(os.path.abspath(__file__))
AVRO_DIR = os.path.join(HERE, "..", "..", "..", "main", "avro")

# All four bytes differ and are non-zero, so a header read in the wrong byte order shows.
GOLDEN_SCHEMA_ID = 0x01020304

UTC = datetime.timezone.utc

SAMPLE_REQUEST = {
    "requestId": "golden-request-0001",
    "seeds": [0, 1, -1, 1 << 40],
    "steps": 40,
    "sampler": "ddim",
    "model": "mnist-cond",
    "pinnedVersion": 3,
    "classLabel": 7,
    "guidanceScale": 2.5,
    # python-avro writes timestamp-millis from datetime objects: 1714566896789 ms.
    "requestedAt": datetime.datetime(2024, 5, 1, 12, 34, 56, 789000, tzinfo=UTC),
    "priority": 2,
    "deadlineMs": 1500,
    "minSteps": 2,
}

GENERATED_IMAGE = {
    "requestId": "golden-request-0001",
    "seed": -42,
    "index": 2,
    "model": "mnist",
    "modelVersion": 5,
    "steps": 8,
    "sampler": "article",
    "width": 28,
    "height": 28,
    "png": bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF, 0x7F, 0x80]),
    "queueWaitMs": 12,
    "samplingMs": 345678,
    # 1714566900001 ms.
    "createdAt": datetime.datetime(2024, 5, 1, 12, 35, 0, 1000, tzinfo=UTC),
    "classLabel": None,
    "guidanceScale": None,
    "channels": 3,
}


def golden(schema_file, record):
    schema = load(os.path.join(AVRO_DIR, schema_file))
    # The URL is never contacted: get_by_id answers from the cache filled here.
    registry = CachedSchemaRegistryClient({"url": "http://registry.invalid"})
    registry._cache_schema(schema, GOLDEN_SCHEMA_ID)
    return MessageSerializer(registry).encode_record_with_schema_id(GOLDEN_SCHEMA_ID, record, is_key=False)


def main():
    for name, schema_file, record in (
            ("SampleRequest.bin", "SampleRequest.avsc", SAMPLE_REQUEST),
            ("GeneratedImage.bin", "GeneratedImage.avsc", GENERATED_IMAGE)):
        data = golden(schema_file, record)
        with open(os.path.join(HERE, name), "wb") as out:
            out.write(data)
        print(name, len(data), "bytes", data.hex())


if __name__ == "__main__":
    main()
