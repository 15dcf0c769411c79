#!/usr/bin/env bash
# Summarises a gotestsum JSON file: how many database-suite subtests passed
# on each backend, so CI's log shows the store suite ran on Postgres too.
json=${1:?usage: test-summary.sh test.json}
[ -f "$json" ] || exit 0
for db in sqlite postgres; do
	n=$(grep '"Action":"pass"' "$json" | grep -c "\"Test\":\"[^\"]*/$db\"")
	echo "database suites: $n subtests passed on $db"
done
