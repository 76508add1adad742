package pipesim

import _ "embed"

// SeedPipes is the weather-stats design's pipes file (testdata/weather-stats/pipes.yaml), which
// `pipesim run` and `pipesim demo` use when no --pipes file is given.
//
//go:embed testdata/weather-stats/pipes.yaml
var SeedPipes []byte
