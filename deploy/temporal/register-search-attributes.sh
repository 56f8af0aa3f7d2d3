#!/bin/sh
# Registers Flywheel's search attributes (idempotent: an existing attribute is not an error).
# Keep the list in line with src/workflows/searchAttributes.ts.
set -eu
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do sleep 2; done
for entry in FlywheelEnvironment:Keyword FlywheelSnapshotDt:Keyword FlywheelStatus:Keyword FlywheelFailedTables:KeywordList; do
  name=${entry%%:*}
  type=${entry#*:}
  if temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type"
  fi
done
