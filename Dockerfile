# syntax=docker/dockerfile:1
# One build, two images: `--target stream-sampler` and `--target trainer`.
# GPU: `--build-arg NATIVES=cuda --build-arg RUNTIME_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04`
# builds with DJL's CUDA natives (Maven profile `cuda`) on a CUDA runtime base (a JRE is installed in it).

ARG RUNTIME_IMAGE=eclipse-temurin:17.0.15_6-jre-noble

FROM maven:3.9.11-eclipse-temurin-17 AS build
ARG NATIVES=cpu
WORKDIR /src
COPY pom.xml ./
COPY schemas/pom.xml schemas/
COPY local-stack/pom.xml local-stack/
COPY test-support/pom.xml test-support/
COPY diffusion/pom.xml diffusion/
COPY trainer/pom.xml trainer/
COPY stream-sampler/pom.xml stream-sampler/
COPY client/pom.xml client/
COPY bench/pom.xml bench/
COPY cli/pom.xml cli/
COPY schemas/src schemas/src
COPY local-stack/src local-stack/src
COPY test-support/src test-support/src
COPY diffusion/src diffusion/src
COPY trainer/src trainer/src
COPY stream-sampler/src stream-sampler/src
COPY client/src client/src
COPY bench/src bench/src
COPY cli/src cli/src
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -Dmaven.test.skip=true $( [ "$NATIVES" = cuda ] && echo -Pcuda ) -pl cli -am package \
    && mvn -B -q $( [ "$NATIVES" = cuda ] && echo -Pcuda ) -pl cli dependency:copy-dependencies \
         -DincludeScope=runtime -DoutputDirectory=/app/lib \
    && cp cli/target/cli-*.jar /app/lib/

FROM ${RUNTIME_IMAGE} AS runtime
# The CUDA base images have no Java; the Temurin ones do.
RUN command -v java >/dev/null || (apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/*)
RUN groupadd --system --gid 10001 denoise && useradd --system --uid 10001 --gid denoise --home-dir /app denoise \
    && mkdir -p /var/lib/denoise && chown 10001:10001 /var/lib/denoise
COPY --from=build /app/lib /app/lib
COPY models /app/models
# The trainer's default data: the MNIST test split the repository ships (data/mnist/README.md).
COPY data /app/data
# PyTorch's natives unpack into DJL's cache; glibc malloc settings: see docs/operating.md (3.8x on inference).
ENV DJL_CACHE_DIR=/tmp/djl \
    MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456 MALLOC_ARENA_MAX=2 \
    JAVA_TOOL_OPTIONS="-Dai.djl.offline=true -Ddenoise.home=/app -XX:MaxRAMPercentage=50"
WORKDIR /app
USER 10001:10001

FROM runtime AS trainer
ENTRYPOINT ["java", "-cp", "/app/lib/*", "dev.denoise.cli.DenoiseCli", "train"]
CMD ["--download", "--epochs", "10", "--publish", "--out", "/tmp/train"]

FROM runtime AS stream-sampler
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q 200 <&3"]
ENTRYPOINT ["java", "-cp", "/app/lib/*", "dev.denoise.sampler.SamplingServiceMain"]
