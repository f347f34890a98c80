#!/usr/bin/env bash
# Copies Apache Kafka's jars (broker, tools, a logging backend) from Maven Central into the cache:
#   $KAFKA_HOME/lib/*.jar
# Resolved by scripts/kafka/pom.xml. Needs Java 17+ and Maven. Idempotent.
source "$(dirname "$0")/../lib/common.sh"

if [[ -f "$KAFKA_HOME/.complete" ]]; then
  ok "Kafka $KAFKA_VERSION already in $KAFKA_HOME"
  exit 0
fi
need java "install a JDK 17+ (Debian: openjdk-17-jre-headless)"
need mvn "install Maven (Debian: maven)"
pom="$REPO_ROOT/scripts/kafka/pom.xml"
grep -q "<kafka.version>$KAFKA_VERSION<" "$pom" || die "scripts/kafka/pom.xml does not pin Kafka $KAFKA_VERSION (fix kafka.version there)"
rm -rf "$KAFKA_HOME"; mkdir -p "$KAFKA_HOME/lib"
run_logged "resolving Kafka $KAFKA_VERSION jars with Maven" "$CACHE_ROOT/build/kafka-$KAFKA_VERSION.log" \
  mvn -B -ntp -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/lib"
n_slf4j=$(find "$KAFKA_HOME/lib" -name 'slf4j-api-*.jar' | wc -l)
[[ "$n_slf4j" == 1 ]] || die "expected exactly one slf4j-api jar in $KAFKA_HOME/lib, found $n_slf4j"
touch "$KAFKA_HOME/.complete"
ok "Kafka $KAFKA_VERSION: $(find "$KAFKA_HOME/lib" -name '*.jar' | wc -l) jars, $(du -sh "$KAFKA_HOME" | cut -f1) in $KAFKA_HOME"
