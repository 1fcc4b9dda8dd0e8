#!/usr/bin/env bash
# bench/scale.sh — compile time and peak memory of `rlsc sql` against the
# number of tables (each with a tenant, three rules and a verbatim policy:
# the input scale.awk writes).
# Doubling the input should roughly double both figures: nothing in the
# compiler may be quadratic in tables or rules.
#
#   bench/scale.sh [path/to/rlsc] [sizes...]
set -euo pipefail
rlsc=${1:-./_build/rlsc}
shift || true
sizes=${*:-1000 2000 4000 8000 16000 32000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() {
    awk -v n="$1" -f "$(dirname "$0")/scale.awk"
}

printf '%8s %8s %10s %10s %12s\n' tables rules bytes seconds max_rss_kb
for n in $sizes; do
    gen "$n" > "$tmp/in.rls"
    bytes=$(wc -c < "$tmp/in.rls")
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$rlsc" sql "$tmp/in.rls" > "$tmp/out.sql" 2>/dev/null
    read -r secs rss < "$tmp/time"
    printf '%8d %8d %10d %10s %12s\n' "$n" $((n * 5)) "$bytes" "$secs" "$rss"
done
