#!/usr/bin/env bash
# Summarises a gotestsum JSON file: how many database-suite subtests passed
# on each backend, so CI's log shows the store suite ran on Postgres too,
# and which Postgres that was.
json=${1:?usage: test-summary.sh test.json}
[ -f "$json" ] || exit 0

# Where the Postgres of DROVER_TEST_DATABASE_URL came from (host:port only,
# never the password).
postgres_source() {
	local url=${DROVER_TEST_DATABASE_URL:-} hostport
	if [ -z "$url" ]; then
		echo "DROVER_TEST_DATABASE_URL is not set, so no Postgres; to add it: source .ci/postgres.sh && pg_start"
		return
	fi
	hostport=$(printf '%s' "$url" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#')
	if [ -n "${PG_DIR:-}" ]; then
		echo "a throwaway cluster of .ci/postgres.sh (pg_start) at $hostport"
	else
		echo "the server DROVER_TEST_DATABASE_URL names, at $hostport"
	fi
}

for db in sqlite postgres; do
	n=$(grep '"Action":"pass"' "$json" | grep -c "\"Test\":\"[^\"]*/$db\"")
	case $db in
	postgres) echo "database suites: $n subtests passed on postgres ($(postgres_source))" ;;
	*) echo "database suites: $n subtests passed on $db" ;;
	esac
done
