package momento

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxFaultStatuses bounds the statuses one spec may expand to.
const maxFaultStatuses = 10000

// FaultSyntax documents ParseFault's syntax, for flag help.
const FaultSyntax = `ROUTE=ITEM[,ITEM...]
  ROUTE: cache-put, cache-get, cache-delete, topic-publish, topic-subscribe
  ITEM:  STATUS[:COUNT][:retry-after=SECONDS]  answer STATUS (200-599) to the next COUNT requests
                                               (default 1); 2xx means "handle normally"
         refuse:COUNT                          drop the next COUNT connections
         refuse                                drop every connection once the statuses are used up
         latency:DURATION                      delay every request (Go duration: 250ms, 6s)
         retry-after=SECONDS                   Retry-After header on every injected status
         repeat                                start the statuses over when used up (never ends)
  examples: cache-put=503,503,200  cache-put=latency:6s  topic-publish=429:retry-after=2
            cache-put=refuse:3  cache-put=400,repeat`

// ParseFault parses a fault spec (see FaultSyntax), e.g. "cache-put=503:2,200" for two 503s
// then normal answers. The error wraps ErrFaultSpec and names the bad item.
func ParseFault(spec string) (Route, Fault, error) {
	name, items, ok := strings.Cut(spec, "=")
	if !ok {
		return "", Fault{}, fmt.Errorf("%w %q: want ROUTE=ITEM[,ITEM...]", ErrFaultSpec, clip(spec, 64))
	}
	route := Route(strings.TrimSpace(name))
	if !slices.Contains(Routes, route) {
		return "", Fault{}, fmt.Errorf("%w %q: unknown route %q (want one of %s)", ErrFaultSpec, clip(spec, 64), clip(string(route), 32), routeList())
	}
	var f Fault
	for i, item := range strings.Split(items, ",") {
		if err := parseFaultItem(&f, strings.TrimSpace(item)); err != nil {
			return "", Fault{}, fmt.Errorf("%w %q: item %d %q: %s", ErrFaultSpec, clip(spec, 64), i+1, clip(item, 32), err)
		}
	}
	if err := checkFault(f); err != nil {
		return "", Fault{}, fmt.Errorf("%w %q: %s", ErrFaultSpec, clip(spec, 64), err)
	}
	return route, f, nil
}

func routeList() string {
	names := make([]string, len(Routes))
	for i, r := range Routes {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// parseFaultItem adds one comma-separated item to f.
func parseFaultItem(f *Fault, item string) error {
	parts := strings.Split(item, ":")
	head, mods := parts[0], parts[1:]
	switch {
	case head == "":
		return fmt.Errorf("empty item")
	case head == "latency":
		return parseLatency(f, mods)
	case head == "refuse":
		return parseRefuse(f, mods)
	case head == "repeat":
		if len(mods) > 0 {
			return fmt.Errorf("repeat takes no options")
		}
		f.Repeat = true
		return nil
	case strings.HasPrefix(head, "retry-after="):
		if len(mods) > 0 {
			return fmt.Errorf("retry-after takes no options")
		}
		return setRetryAfter(f, head)
	}
	return parseStatusItem(f, head, mods)
}

func parseLatency(f *Fault, mods []string) error {
	if len(mods) != 1 {
		return fmt.Errorf("want latency:DURATION")
	}
	d, err := time.ParseDuration(mods[0])
	if err != nil || d <= 0 {
		return fmt.Errorf("latency %q is not a positive Go duration such as 250ms or 6s", clip(mods[0], 32))
	}
	if f.Latency != 0 {
		return fmt.Errorf("latency given twice")
	}
	f.Latency = d
	return nil
}

func parseRefuse(f *Fault, mods []string) error {
	switch len(mods) {
	case 0:
		f.Refuse = true
		return nil
	case 1:
		n, err := parseCount(mods[0])
		if err != nil {
			return err
		}
		return appendStatuses(f, StatusRefuse, n)
	}
	return fmt.Errorf("want refuse or refuse:COUNT")
}

// parseStatusItem reads STATUS[:COUNT][:retry-after=SECONDS].
func parseStatusItem(f *Fault, head string, mods []string) error {
	status, err := strconv.Atoi(head)
	if err != nil || status < 200 || status > 599 {
		return fmt.Errorf("%q is not a status code (200-599), refuse, latency, retry-after or repeat", clip(head, 32))
	}
	count, counted := 1, false
	for _, m := range mods {
		if strings.HasPrefix(m, "retry-after=") {
			if err := setRetryAfter(f, m); err != nil {
				return err
			}
			continue
		}
		if counted {
			return fmt.Errorf("count given twice")
		}
		if count, err = parseCount(m); err != nil {
			return err
		}
		counted = true
	}
	return appendStatuses(f, status, count)
}

func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxFaultStatuses {
		return 0, fmt.Errorf("count %q is not an integer from 1 to %d", clip(s, 32), maxFaultStatuses)
	}
	return n, nil
}

func appendStatuses(f *Fault, status, n int) error {
	if len(f.Statuses)+n > maxFaultStatuses {
		return fmt.Errorf("more than %d statuses", maxFaultStatuses)
	}
	for range n {
		f.Statuses = append(f.Statuses, status)
	}
	return nil
}

// setRetryAfter reads retry-after=SECONDS; negative seconds are allowed (EventBridge stops
// retrying on them).
func setRetryAfter(f *Fault, kv string) error {
	v := strings.TrimPrefix(kv, "retry-after=")
	if _, err := strconv.Atoi(v); err != nil {
		return fmt.Errorf("retry-after %q is not a whole number of seconds", clip(v, 32))
	}
	if f.RetryAfter != "" && f.RetryAfter != v {
		return fmt.Errorf("retry-after given twice with different values")
	}
	f.RetryAfter = v
	return nil
}

// checkFault rejects combinations that cannot mean anything.
func checkFault(f Fault) error {
	switch {
	case f.Repeat && len(f.Statuses) == 0:
		return fmt.Errorf("repeat needs at least one status or refuse:COUNT")
	case f.Repeat && f.Refuse:
		return fmt.Errorf("repeat never uses up the statuses, so a bare refuse would never apply")
	case len(f.Statuses) == 0 && !f.Refuse && f.Latency == 0:
		return fmt.Errorf("no status, refuse or latency")
	}
	return nil
}

// String renders f in ParseFault's item syntax (without the route), runs of equal statuses
// folded into STATUS:COUNT.
func (f Fault) String() string {
	var items []string
	for i := 0; i < len(f.Statuses); {
		j := i + 1
		for j < len(f.Statuses) && f.Statuses[j] == f.Statuses[i] {
			j++
		}
		items = append(items, statusItem(f.Statuses[i], j-i))
		i = j
	}
	if f.RetryAfter != "" {
		items = append(items, "retry-after="+f.RetryAfter)
	}
	if f.Latency > 0 {
		items = append(items, "latency:"+f.Latency.String())
	}
	if f.Refuse {
		items = append(items, "refuse")
	}
	if f.Repeat {
		items = append(items, "repeat")
	}
	return strings.Join(items, ",")
}

func statusItem(status, n int) string {
	s := strconv.Itoa(status)
	if status == StatusRefuse {
		return "refuse:" + strconv.Itoa(n)
	}
	if n > 1 {
		s += ":" + strconv.Itoa(n)
	}
	return s
}
