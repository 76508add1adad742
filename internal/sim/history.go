package sim

import (
	"path/filepath"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/names"
	"github.com/pipesim/pipesim/internal/pipe"
)

// HistoryDir is the folder of the state dir where pipesim keeps every pipe's execution history,
// whatever the pipe's LogConfiguration says: executions/<pipe>.jsonl, in the Pipes log schema, at
// TRACE level with the execution data, secrets redacted, rotated by size as the execution logs
// are (pipe.LogFile). LogConfiguration decides only what goes to logs/<log group>/, as on AWS it
// decides what goes to CloudWatch. `pipesim logs` reads the history.
const HistoryDir = "executions"

// HistoryPath is the history file of a pipe; an error when the name cannot be a file name.
func HistoryPath(stateDir, pipeName string) (string, error) {
	return names.File(filepath.Join(stateDir, HistoryDir), names.Pipe, pipeName, ".jsonl")
}

// OpenHistory opens a pipe's execution history for appending. onFail hears of write failures;
// the returned function closes the file.
func OpenHistory(stateDir string, p *config.Pipe, onFail func(error)) (*pipe.ExecLog, func() error, error) {
	path, err := HistoryPath(stateDir, p.Name)
	if err != nil {
		return nil, nil, err
	}
	f, err := pipe.OpenLogFile(path, pipe.LogFileMaxBytes, pipe.LogFileKeep)
	if err != nil {
		return nil, nil, err
	}
	return pipe.NewExecLog(f, p.ARN, "TRACE", true, onFail), f.Close, nil
}
