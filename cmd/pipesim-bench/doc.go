// Command pipesim-bench measures replay: it generates seed-shaped records as JSON Lines in a file,
// then dry-run replays them through the seed design's three pipes and reports records per second
// and peak resident memory. See docs/performance.md ("Replay").
package main
