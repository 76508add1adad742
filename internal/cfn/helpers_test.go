package cfn

import "github.com/pipesim/pipesim/internal/config"

func configOptions() config.Options { return config.Options{Lookup: noEnv} }
