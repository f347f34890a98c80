#!/bin/bash
# Entrypoint of the cluster's Kafka image (the jars of scripts/kafka/pom.xml on Debian's Java 17,
# built by scripts/build-images): one KRaft node, broker and controller, plaintext. It stands in
# for Redpanda on the project's own cluster (same Kafka protocol). Settings from the environment:
#   KAFKA_ADVERTISED_HOST  the address clients are told to use (the pod IP, from the downward API)
#   KAFKA_DATA             the data folder (a volume); formatted on first start
#   KAFKA_HEAP             heap size, e.g. 384m
set -euo pipefail
: "${KAFKA_ADVERTISED_HOST:?set KAFKA_ADVERTISED_HOST (the pod IP)}"
: "${KAFKA_DATA:=/var/lib/kafka/data}"
: "${KAFKA_HEAP:=384m}"
config=/tmp/server.properties
cat >"$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://$KAFKA_ADVERTISED_HOST:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA/log
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Topics are created by the deploy with their partitions; a misspelt topic fails loudly.
auto.create.topics.enable=false
PROPERTIES
java_opts=(-Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -Dorg.slf4j.simpleLogger.showDateTime=true)
if [[ ! -f "$KAFKA_DATA/log/meta.properties" ]]; then
  id="$(java -cp '/opt/kafka/libs/*' kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
  java "${java_opts[@]}" -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format -t "$id" -c "$config" --ignore-formatted
fi
exec java "${java_opts[@]}" -cp '/opt/kafka/libs/*' kafka.Kafka "$config"
