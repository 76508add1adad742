package main

import (
	"context"
	"strings"
	"testing"
)

// TestMeaninglessFlags: values that parse but mean nothing are refused with exit status 2 and an
// error naming the flag, before anything starts (no DynamoDB Local is reachable at the endpoint
// given, and no embedded Momento server is announced).
func TestMeaninglessFlags(t *testing.T) {
	noDB := []string{"--dynamodb-endpoint", "http://127.0.0.1:1"}
	cases := []struct {
		cmd  func(streams) command
		args []string
		want string
	}{
		{func(s streams) command { return &runCmd{streams: s} }, append([]string{"--backoff", "-1s"}, noDB...), "--backoff -1s: want a positive duration"},
		{func(s streams) command { return &runCmd{streams: s} }, append([]string{"--max-backoff", "0s"}, noDB...), "--max-backoff 0s: want a positive duration"},
		{func(s streams) command { return &runCmd{streams: s} }, append([]string{"--backoff", "2s", "--max-backoff", "1s"}, noDB...), "--max-backoff 1s is shorter than --backoff 2s"},
		{func(s streams) command { return &runCmd{streams: s} }, append([]string{"--poll-interval", "0s"}, noDB...), "--poll-interval 0s: want at least 1ms"},
		{func(s streams) command { return &runCmd{streams: s} }, append([]string{"--poll-interval", "-1s"}, noDB...), "--poll-interval -1s: want at least 1ms"},
		{func(s streams) command { return &demoCmd{streams: s} }, append([]string{"--timeout", "-1s"}, noDB...), "--timeout -1s: want a positive duration"},
		{func(s streams) command { return &demoCmd{streams: s} }, append([]string{"--poll-interval", "0s"}, noDB...), "--poll-interval 0s"},
		{func(s streams) command { return &dlqCmd{streams: s} }, append([]string{"redrive", "--queue", "q", "--backoff", "-1s"}, noDB...), "--backoff -1s"},
		{func(s streams) command { return &replayCmd{streams: s} }, []string{"--records", "x", "--backoff", "-1s"}, "--backoff -1s: want a positive duration"},
		{func(s streams) command { return &replayCmd{streams: s} }, []string{"--records", "x", "--speed", "1e308x"}, `--speed: speed "1e308x": want max, recorded, or a multiple of the recorded pace from 0.001x to 1000000x`},
		{func(s streams) command { return &replayCmd{streams: s} }, []string{"--records", "x", "--stream-arn", "garbage"}, `--stream-arn: not a DynamoDB stream ARN: "garbage": want arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL`},
		{func(s streams) command { return &replayCmd{streams: s} }, []string{"--records", "x", "--max-record-size", "10"}, `invalid argument "10" for "--max-record-size" flag: "10": want 1 KiB to 1 GiB`},
		{func(s streams) command { return &captureCmd{streams: s} }, []string{"--source", "t", "--poll-interval", "0s"}, "--poll-interval 0s: want at least 1ms"},
	}
	for _, c := range cases {
		s, out, errOut := testStreams()
		err := c.cmd(s).Run(context.Background(), c.args)
		code := exitCode(err, s.stderr)
		if code != 2 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%T %q = exit %d, stderr %q; want exit 2 and %q", c.cmd(s), c.args, code, errOut, c.want)
		}
		if strings.Contains(errOut.String()+out.String(), "embedded Momento") {
			t.Errorf("%T %q started the embedded Momento server before refusing its flags", c.cmd(s), c.args)
		}
	}
}
