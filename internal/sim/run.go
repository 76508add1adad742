package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/names"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/stream"
)

// Run runs every pipe whose DesiredState is RUNNING until ctx is cancelled. Pipes are set up
// first, all of them: a pipe whose source cannot be resolved stops Run before any pipe starts.
// ready, if set, is called once every pipe's source is connected. A failing pipe does not stop
// the others; Run returns their errors together when all are done.
func (s *Sim) Run(ctx context.Context, ready func()) error {
	runners, err := s.Runners(ctx)
	if err != nil {
		return err
	}
	var connected sync.WaitGroup
	connected.Add(len(runners))
	for _, r := range runners {
		r.Connected = sync.OnceFunc(connected.Done)
	}
	if ready != nil {
		go func() { connected.Wait(); ready() }()
	}
	var wg sync.WaitGroup
	errs := make([]error, len(runners))
	for i, r := range runners {
		wg.Go(func() {
			errs[i] = r.Run(ctx)
			if errs[i] != nil {
				s.opts.Logger.Error("pipe stopped", "pipe", r.Pipe.Name, "err", errs[i])
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Runners builds a runner for each running pipe, each with its own stream iterators.
// The pipes on one stream share its shards' read limit (Options.StreamReadLimit).
func (s *Sim) Runners(ctx context.Context) ([]*pipe.Runner, error) {
	sender := s.sender()
	limit := stream.NewReadLimiter(s.opts.StreamReadLimit)
	var runners []*pipe.Runner
	for _, p := range s.Config.Pipes {
		if !p.Running {
			s.opts.Logger.Info("pipe is STOPPED; not starting it", "pipe", p.Name)
			continue
		}
		r, err := s.runner(ctx, p, sender, limit)
		if err != nil {
			return nil, err
		}
		runners = append(runners, r)
	}
	return runners, nil // more than two pipes on a stream: pipesim check's PS009, printed at start
}

func (s *Sim) runner(ctx context.Context, p *config.Pipe, sender *httpdest.Sender, limit *stream.ReadLimiter) (*pipe.Runner, error) {
	arn, err := stream.ResolveStreamARN(ctx, s.DynamoDB, p.Source)
	if err != nil {
		return nil, fmt.Errorf("pipe %q: Source: %w", p.Name, err)
	}
	logger := s.opts.Logger.With("pipe", p.Name)
	cps, stale, err := pipe.OpenCheckpoints(filepath.Join(s.opts.StateDir, "checkpoints"), p.Name, arn)
	if err != nil {
		return nil, fmt.Errorf("pipe %q: %w", p.Name, err)
	}
	if stale != "" {
		logger.Warn("checkpoint is for a stream that no longer exists; starting from StartingPosition",
			"checkpointStream", stale, "stream", arn, "startingPosition", p.Stream.StartingPosition)
	}
	src := stream.NewSource(s.Streams, stream.Config{
		StreamARN: arn, Region: s.Config.Region, StartingPosition: p.Stream.StartingPosition,
		BatchSize: p.Stream.BatchSize, BatchingWindow: p.Stream.BatchingWindow,
		PollInterval: s.opts.PollInterval, Checkpoints: cps, Logger: logger, MaxInFlight: p.Stream.Parallelization, ReadLimit: limit,
	})
	execLog, err := s.execLog(p, logger)
	if err != nil {
		return nil, err
	}
	history, closeHistory, err := OpenHistory(s.opts.StateDir, p, func(err error) { logger.Error("write execution history", "err", err) })
	if err != nil {
		return nil, fmt.Errorf("pipe %q: execution history: %w", p.Name, err)
	}
	s.closers = append(s.closers, closeHistory)
	return &pipe.Runner{Pipe: p, Source: src, Sender: sender, DLQ: s.DeadLetters, Log: pipe.Tee(execLog, history),
		Trace: s.opts.Trace, Logger: logger, Opts: s.opts.Retry, SourceARN: arn}, nil
}

// execLog opens the pipe's execution log (OpenExecLog); Close closes it.
func (s *Sim) execLog(p *config.Pipe, logger *slog.Logger) (*pipe.ExecLog, error) {
	onFail := func(err error) { logger.Error("write execution log", "err", err) }
	lg, closeLog, err := OpenExecLog(s.opts.StateDir, p, onFail)
	if err != nil {
		return nil, fmt.Errorf("pipe %q: execution log: %w", p.Name, err)
	}
	if closeLog != nil {
		s.closers = append(s.closers, closeLog)
	}
	return lg, nil
}

// OpenExecLog opens a pipe's execution log under stateDir: logs/<log group>/<pipe name>.jsonl,
// the pipe name being the CloudWatch log stream's name, rotated by size (pipe.LogFile). It
// returns nil, and a nil close, when the pipe logs nothing. onFail hears of write failures.
func OpenExecLog(stateDir string, p *config.Pipe, onFail func(error)) (*pipe.ExecLog, func() error, error) {
	if p.Log.Level == "OFF" || p.Log.LogGroup == "" {
		return nil, nil, nil
	}
	dir, err := names.File(filepath.Join(stateDir, "logs"), names.LogGroup, p.Log.LogGroup, "")
	if err == nil {
		var path string
		if path, err = names.File(dir, names.Pipe, p.Name, ".jsonl"); err == nil {
			var f *pipe.LogFile
			if f, err = pipe.OpenLogFile(path, pipe.LogFileMaxBytes, pipe.LogFileKeep); err == nil {
				return pipe.NewExecLog(f, p.ARN, p.Log.Level, p.Log.ExecutionData, onFail), f.Close, nil
			}
		}
	}
	return nil, nil, err
}
