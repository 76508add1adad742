#!/bin/sh
# Synthesizes a CDK app with the pinned AWS CDK that scripts/install-cdk.sh installs (it runs it
# first), offline: `cdk synth` of APP_DIR/app.js into OUT_DIR (a cdk.out directory).
#
#   scripts/cdk-synth.sh testdata/cdk-app /tmp/cdk.out
set -eu
[ $# -eq 2 ] || { echo "usage: scripts/cdk-synth.sh APP_DIR OUT_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
app=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
cdk=$("$here/install-cdk.sh" | tail -n 1)
cd "$app"
# NODE_PATH lets app.js require aws-cdk-lib from the cache folder; --no-notices keeps the CLI
# from reaching the network. Everything else is a default synth, CDKMetadata and all, as a
# team's own would be.
NODE_PATH="$cdk/node_modules" CDK_DISABLE_VERSION_CHECK=1 JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 \
	"$cdk/node_modules/.bin/cdk" synth --app "node app.js" --output "$out" --no-notices --quiet --ci
