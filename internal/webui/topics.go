package webui

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/template"
)

// topicKeep is how many of a topic's latest messages the page shows.
const topicKeep = 20

// Topic is a Momento topic some pipe publishes to.
type Topic struct {
	Cache string `json:"cache"`
	Name  string `json:"topic"`
}

// TopicsOf returns the topics the pipes publish to: targets whose endpoint has /topics/ and
// whose two path values, the cache and the topic, are literals (a $.path value is left out).
func TopicsOf(cfg *config.Config) []Topic {
	var out []Topic
	for _, p := range cfg.Pipes {
		t := p.Target
		if t == nil || !strings.Contains(t.Dest.Endpoint, "/topics/") || len(t.PathParams()) != 2 {
			continue
		}
		var v [2]string
		literal := true
		for i, pp := range t.PathParams() {
			tp, ok := pp.(template.Param)
			literal = literal && ok && !tp.IsPath()
			v[i] = tp.String()
		}
		if topic := (Topic{Cache: v[0], Name: v[1]}); literal && !slices.Contains(out, topic) {
			out = append(out, topic)
		}
	}
	return out
}

// topicLog keeps the latest messages of the subscribed topics.
type topicLog struct {
	mu       sync.Mutex
	messages map[Topic][]string
	errs     map[Topic]string
}

// Subscribe subscribes to every topic in s.Topics, keeping the latest messages for the page.
// The subscriptions end with ctx; a failed one is shown on the page. It does not block.
func (s *Server) Subscribe(ctx context.Context) {
	s.topics.mu.Lock()
	s.topics.messages, s.topics.errs = map[Topic][]string{}, map[Topic]string{}
	s.topics.mu.Unlock()
	for _, t := range s.Topics {
		go func() { // ends with ctx, or when the subscription fails
			err := s.Momento.Subscribe(ctx, t.Cache, t.Name, func(item momento.TopicItem) error {
				if text, ok := s.topics.add(t, item); ok {
					s.events.publish(eventTopic, topicMessage{Topic: t, Time: time.Now(), Text: s.redact(text)})
				}
				return nil
			})
			if err != nil && ctx.Err() == nil {
				s.topics.mu.Lock()
				s.topics.errs[t] = err.Error() // the client's errors never hold the API key
				s.topics.mu.Unlock()
			}
		}()
	}
}

// topicMessage is one topic message on the event stream.
type topicMessage struct {
	Topic
	Time time.Time `json:"time"`
	Text string    `json:"text"`
}

// add keeps a topic's message and returns its text; ok is false for a discontinuity.
func (l *topicLog) add(t Topic, item momento.TopicItem) (text string, ok bool) {
	if item.Discontinuity {
		return "", false
	}
	text = item.Text
	if item.IsBinary {
		text = string(item.Binary)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	msgs := append(l.messages[t], text)
	if len(msgs) > topicKeep {
		msgs = msgs[len(msgs)-topicKeep:]
	}
	l.messages[t] = msgs
	return text, true
}

// topicView is one topic in GET /api/topics, its latest messages last.
type topicView struct {
	Topic
	Messages []string `json:"messages"`
	Error    string   `json:"error,omitempty"`
}

func (l *topicLog) views(topics []Topic) []topicView {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]topicView, 0, len(topics))
	for _, t := range topics {
		out = append(out, topicView{Topic: t, Messages: append([]string{}, l.messages[t]...), Error: l.errs[t]})
	}
	return out
}
