#!/bin/sh
# The end-to-end half of `make bench`: starts a fresh Gatehouse on a
# throwaway database, seeds load users and clients, runs gatehouse-load
# against it and prints the table. Knobs (environment):
#   BENCH_DB          database DSN (default: a new SQLite file; a postgres:// URL
#                     should name an empty database)
#   BENCH_ADDR        listen address (default 127.0.0.1:18180)
#   BENCH_CONNS       connections (default 16)
#   BENCH_DURATION    measured time per scenario (default 5s)
#   BENCH_WARMUP      warm-up per scenario (default 1s)
#   BENCH_SCENARIOS   comma-separated list (default: all)
#   BENCH_SERVE_FLAGS extra `gatehouse serve` flags (e.g. a generous login
#                     throttle; the load logs in many times from 127.0.0.1)
#   BENCH_JSON        also write the results as JSON to this file
set -eu
BIN=${BIN:-bin}
dir=$(mktemp -d)
addr=${BENCH_ADDR:-127.0.0.1:18180}
db=${BENCH_DB:-sqlite:$dir/bench.db}
secret=$dir/master.key
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

head -c 32 /dev/urandom | base64 > "$secret"
"$BIN/gatehouse-load" seed --db "$db" --secret-file "$secret" --users "${BENCH_CONNS:-16}" --out "$dir/creds.json"
# shellcheck disable=SC2086 # BENCH_SERVE_FLAGS is a list of flags
"$BIN/gatehouse" serve --db "$db" --secret-file "$secret" --addr "$addr" --log-level warn ${BENCH_SERVE_FLAGS:-} 2>"$dir/serve.log" &
pid=$!
i=0
until curl -fsS "http://$addr/readyz" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "bench: the server did not start:" >&2
		cat "$dir/serve.log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "bench: gatehouse pid $pid on $addr, db ${db%%\?*}" >&2
set -- --issuer "http://$addr" --creds "$dir/creds.json" -c "${BENCH_CONNS:-16}" \
	-d "${BENCH_DURATION:-5s}" --warmup "${BENCH_WARMUP:-1s}" --scenarios "${BENCH_SCENARIOS:-all}"
if [ -n "${BENCH_JSON:-}" ]; then set -- "$@" --json "$BENCH_JSON"; fi
"$BIN/gatehouse-load" run "$@"
