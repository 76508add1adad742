#!/bin/sh
# Installs what the real `cdk synth` test needs (internal/cfn, TestCDKSynth): the AWS CDK
# library, its CLI and constructs from npm, pinned to the versions that synthesized the seed's
# stack (../shared/seed-stack), into a cache folder outside git. Run up front in CI so the test
# neither skips nor installs.
#
#   scripts/install-cdk.sh                 # installs into the default folder
#   PIPESIM_CDK_DIR=/opt/cdk scripts/install-cdk.sh
#
# Prints the folder holding node_modules on its last line.
set -eu

# Keep in step with cdkVersions in internal/cfn/cdk_test.go.
lib=aws-cdk-lib@2.140.0
cli=aws-cdk@2.140.0
constructs=constructs@10.0.0

# Same rule as scripts/install-dynamodb-local.sh (os.UserCacheDir on Linux and macOS).
if [ -n "${PIPESIM_CDK_DIR:-}" ]; then
	dir=$PIPESIM_CDK_DIR
elif [ "$(uname -s)" = Darwin ]; then
	dir=$HOME/Library/Caches/pipesim/cdk
else
	dir=${XDG_CACHE_HOME:-$HOME/.cache}/pipesim/cdk
fi
target=$dir/aws-cdk-lib-2.140.0

if [ -x "$target/node_modules/.bin/cdk" ] && [ -f "$target/node_modules/aws-cdk-lib/package.json" ]; then
	echo "$target"
	exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "install-cdk: npm not found on PATH" >&2; exit 1; }

mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "installing the AWS CDK ($lib, $cli, $constructs) into $target" >&2
npm install --prefix "$tmp" --no-audit --no-fund --no-save --ignore-scripts \
	--loglevel=error "$lib" "$cli" "$constructs" >&2
# Another install may have finished first: keep whichever landed.
if [ ! -e "$target" ]; then
	mv "$tmp" "$target" 2>/dev/null || true
fi
[ -x "$target/node_modules/.bin/cdk" ] || { echo "install-cdk: cdk missing after install" >&2; exit 1; }
echo "$target"
