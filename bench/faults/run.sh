#!/usr/bin/env bash
# bench/faults/run.sh [flags]: the long fault campaign (issue 18). Builds ferrymq-server's test classes, then runs
# dev.ferrymq.server.faults.FaultCampaign, which starts real node processes, injects faults, checks the history and
# writes bench/results/faults.md. Flags (all optional): --configs 3:kill-leader,3:pause,3:partition,3:mixed,5:mixed
# --duration 180 --single-node-cycles 100 --single-node-body 16384 --out FILE --work DIR --seed N.
# Partitions need root, iproute2 (network namespaces) and curl; without them those nemeses are left out (said so).
# MVN_FLAGS (e.g. -o) is passed to Maven. See bench/README.md#fault-campaign.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck disable=SC2086
mvn -B -q ${MVN_FLAGS:-} -Dstyle.color=never -pl ferrymq-server -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/faults.classpath -Dmdep.includeScope=test
CP="$ROOT/ferrymq-server/target/test-classes:$ROOT/ferrymq-server/target/classes:$(cat ferrymq-server/target/faults.classpath)"
exec java -Xmx512m -cp "$CP" -Dlogback.configurationFile="$ROOT/bench/faults/logback.xml" \
    dev.ferrymq.server.faults.FaultCampaign "$@"
