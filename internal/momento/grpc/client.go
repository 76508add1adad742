package momentogrpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/pipesim/pipesim/internal/momento"
	pb "github.com/pipesim/pipesim/internal/momento/grpc/momentopb"
)

// Client speaks the gRPC API as Momento's SDKs do, to the embedded server or to a real
// Momento endpoint: the key in the authorization metadata, the cache name in the cache
// metadata of data-plane calls. The key never appears in its errors.
type Client struct {
	conn *grpc.ClientConn
	key  string
	scs  pb.ScsClient
	ps   pb.PubsubClient
	ctl  pb.ScsControlClient
}

// Dial connects to addr (host:port) over TLS with tlsConfig, or in plain text when tlsConfig
// is nil (as CredentialProvider.forMomentoLocal does). It does not block: the connection is
// made on the first call.
func Dial(addr, key string, tlsConfig *tls.Config) (*Client, error) {
	creds := insecure.NewCredentials()
	if tlsConfig != nil {
		creds = credentials.NewTLS(tlsConfig)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, fmt.Errorf("momento gRPC %s: %w", addr, err)
	}
	return &Client{conn: conn, key: key, scs: pb.NewScsClient(conn), ps: pb.NewPubsubClient(conn), ctl: pb.NewScsControlClient(conn)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

func (c *Client) ctx(ctx context.Context, cache string) context.Context {
	if c.key != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", c.key)
	}
	if cache != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "cache", cache)
	}
	return ctx
}

// Get reads a key: found is false on a miss. A missing cache is an error wrapping
// momento.ErrCacheNotFound.
func (c *Client) Get(ctx context.Context, cache, key string) (value []byte, found bool, err error) {
	resp, err := c.scs.Get(c.ctx(ctx, cache), &pb.GetRequest{CacheKey: []byte(key)})
	if err != nil {
		return nil, false, c.wrap("get", err)
	}
	switch resp.Result {
	case pb.CacheResult_CACHE_RESULT_HIT:
		return resp.CacheBody, true, nil
	case pb.CacheResult_CACHE_RESULT_MISS:
		return nil, false, nil
	}
	return nil, false, fmt.Errorf("momento gRPC get: unexpected result %v", resp.Result)
}

// ListCaches lists the caches by name.
func (c *Client) ListCaches(ctx context.Context) ([]string, error) {
	var names []string
	token := ""
	for {
		resp, err := c.ctl.ListCaches(c.ctx(ctx, ""), &pb.ListCachesRequest{NextToken: token})
		if err != nil {
			return nil, c.wrap("list caches", err)
		}
		for _, ci := range resp.Cache {
			names = append(names, ci.CacheName)
		}
		if token = resp.NextToken; token == "" {
			return names, nil
		}
	}
}

// Subscribe streams a topic from the next message published and calls fn for each message and
// discontinuity, in order (heartbeats are not passed on). ready, if set, is called once the
// subscription is open (the server's first heartbeat). It blocks until ctx is done
// (ctx.Err()), fn fails (its error) or the stream fails (an error; a missing cache wraps
// momento.ErrCacheNotFound).
func (c *Client) Subscribe(ctx context.Context, cache, topic string, ready func(), fn func(momento.TopicItem) error) error {
	stream, err := c.ps.Subscribe(c.ctx(ctx, ""), &pb.SubscriptionRequest{CacheName: cache, Topic: topic})
	if err != nil {
		return c.wrap("subscribe", err)
	}
	for {
		msg, err := stream.Recv()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, io.EOF):
			return errors.New("momento gRPC subscribe: the server ended the stream")
		case err != nil:
			return c.wrap("subscribe", err)
		}
		if msg.GetHeartbeat() != nil {
			if ready != nil {
				ready()
				ready = nil
			}
			continue
		}
		if err := fn(topicItem(msg)); err != nil {
			return err
		}
	}
}

func topicItem(msg *pb.SubscriptionItem) momento.TopicItem {
	if d := msg.GetDiscontinuity(); d != nil {
		return momento.TopicItem{Discontinuity: true, LastSequenceNumber: d.LastTopicSequence,
			SequenceNumber: d.NewTopicSequence, SequencePage: d.NewSequencePage}
	}
	it := msg.GetItem()
	out := momento.TopicItem{SequenceNumber: it.GetTopicSequenceNumber(), SequencePage: it.GetSequencePage()}
	if b, ok := it.GetValue().GetKind().(*pb.TopicValue_Binary); ok {
		out.IsBinary, out.Binary = true, b.Binary
	} else {
		out.Text = it.GetValue().GetText()
	}
	return out
}

// wrap names the operation; NOT_FOUND wraps momento.ErrCacheNotFound.
func (c *Client) wrap(op string, err error) error {
	st, _ := status.FromError(err)
	msg := st.Message()
	if c.key != "" {
		msg = strings.ReplaceAll(msg, c.key, "[redacted]")
	}
	if st.Code() == codes.NotFound {
		return fmt.Errorf("momento gRPC %s: %w: %s", op, momento.ErrCacheNotFound, msg)
	}
	return fmt.Errorf("momento gRPC %s: %s: %s", op, st.Code(), msg)
}
