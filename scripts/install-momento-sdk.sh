#!/bin/sh
# Installs what the real-SDK test needs (cmd/pipesim, TestMomentoSDK): Momento's Node SDK
# `@gomomento/sdk` from npm, pinned to the version whose protocol docs/momento.md describes, and
# the AWS SDK's DynamoDB client the test's application (testdata/momento-sdk/app.js) writes
# with, into a cache folder outside git. Run up front in CI so the test neither skips nor
# installs.
#
#   scripts/install-momento-sdk.sh                          # installs into the default folder
#   PIPESIM_MOMENTO_SDK_DIR=/opt/momento scripts/install-momento-sdk.sh
#
# Prints the folder holding node_modules on its last line.
set -eu

# Keep in step with momentoSDKVersion in cmd/pipesim/sdk_test.go.
sdk=@gomomento/sdk@1.118.1
dynamodb=@aws-sdk/client-dynamodb@3.1169.0

# Same rule as scripts/install-dynamodb-local.sh (os.UserCacheDir on Linux and macOS).
if [ -n "${PIPESIM_MOMENTO_SDK_DIR:-}" ]; then
	dir=$PIPESIM_MOMENTO_SDK_DIR
elif [ "$(uname -s)" = Darwin ]; then
	dir=$HOME/Library/Caches/pipesim/momento-sdk
else
	dir=${XDG_CACHE_HOME:-$HOME/.cache}/pipesim/momento-sdk
fi
target=$dir/sdk-1.118.1-ddb-3.1169.0

if [ -f "$target/node_modules/@gomomento/sdk/package.json" ] && [ -f "$target/node_modules/@aws-sdk/client-dynamodb/package.json" ]; then
	echo "$target"
	exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "install-momento-sdk: npm not found on PATH" >&2; exit 1; }

mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "installing Momento's Node SDK ($sdk) and $dynamodb into $target" >&2
npm install --prefix "$tmp" --no-audit --no-fund --no-save --ignore-scripts \
	--loglevel=error "$sdk" "$dynamodb" >&2
# Another install may have finished first: keep whichever landed.
if [ ! -e "$target" ]; then
	mv "$tmp" "$target" 2>/dev/null || true
fi
[ -f "$target/node_modules/@gomomento/sdk/package.json" ] || { echo "install-momento-sdk: @gomomento/sdk missing after install" >&2; exit 1; }
[ -f "$target/node_modules/@aws-sdk/client-dynamodb/package.json" ] || { echo "install-momento-sdk: @aws-sdk/client-dynamodb missing after install" >&2; exit 1; }
echo "$target"
