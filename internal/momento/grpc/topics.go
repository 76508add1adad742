package momentogrpc

import (
	"context"
	"errors"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pipesim/pipesim/internal/momento"
	pb "github.com/pipesim/pipesim/internal/momento/grpc/momentopb"
)

// topicService is cache_client.pubsub.Pubsub over the store.
type topicService struct {
	pb.UnimplementedPubsubServer
	s *Server
}

func (t *topicService) Publish(ctx context.Context, req *pb.PublishRequest) (*pb.Empty, error) {
	if err := topicArgs(req.CacheName, req.Topic); err != nil {
		return nil, err
	}
	var m momento.Message
	switch v := req.GetValue().GetKind().(type) {
	case *pb.TopicValue_Text:
		if !utf8.ValidString(v.Text) {
			return nil, status.Error(codes.InvalidArgument, "text value is not valid UTF-8")
		}
		m.Text = v.Text
	case *pb.TopicValue_Binary:
		m.Binary, m.IsBinary = v.Binary, true
	default:
		return nil, status.Error(codes.InvalidArgument, "value: set text or binary")
	}
	if err := t.s.store.Publish(req.CacheName, req.Topic, m); err != nil {
		return nil, storeError(ctx, req.CacheName, err)
	}
	return &pb.Empty{}, nil
}

func topicArgs(cache, topic string) error {
	switch {
	case cache == "":
		return status.Error(codes.InvalidArgument, "cache_name must not be empty")
	case topic == "":
		return status.Error(codes.InvalidArgument, "topic must not be empty")
	}
	return nil
}

// Subscribe streams the topic from the requested position: a heartbeat at once (the SDKs'
// subscribe resolves on the first message of the stream) and after every quiet Heartbeat
// interval, the messages as they are published, and a discontinuity where the requested
// messages are gone. It ends when the client goes away, the server closes or the cache is
// deleted (NOT_FOUND).
func (t *topicService) Subscribe(req *pb.SubscriptionRequest, stream pb.Pubsub_SubscribeServer) error {
	ctx := stream.Context()
	if err := topicArgs(req.CacheName, req.Topic); err != nil {
		return err
	}
	sub, err := t.s.store.Subscribe(req.CacheName, req.Topic, req.ResumeAtTopicSequenceNumber, req.SequencePage)
	if err != nil {
		return storeError(ctx, req.CacheName, err)
	}
	defer sub.Close()
	heartbeat := &pb.SubscriptionItem{Kind: &pb.SubscriptionItem_Heartbeat{Heartbeat: &pb.Heartbeat{}}}
	if err := stream.Send(heartbeat); err != nil {
		return err
	}
	for {
		items, err := sub.Next(ctx, t.s.cfg.Heartbeat)
		switch {
		case errors.Is(err, ctx.Err()) && ctx.Err() != nil:
			return status.FromContextError(ctx.Err()).Err()
		case err != nil:
			return storeError(ctx, req.CacheName, err)
		case len(items) == 0:
			if err := stream.Send(heartbeat); err != nil {
				return err
			}
		}
		for _, it := range items {
			if err := stream.Send(subscriptionItem(it)); err != nil {
				return err
			}
		}
	}
}

func subscriptionItem(it momento.TopicItem) *pb.SubscriptionItem {
	if it.Discontinuity {
		return &pb.SubscriptionItem{Kind: &pb.SubscriptionItem_Discontinuity{Discontinuity: &pb.Discontinuity{
			LastTopicSequence: it.LastSequenceNumber, NewTopicSequence: it.SequenceNumber, NewSequencePage: it.SequencePage}}}
	}
	v := &pb.TopicValue{Kind: &pb.TopicValue_Text{Text: it.Text}}
	if it.IsBinary {
		v.Kind = &pb.TopicValue_Binary{Binary: it.Binary}
	}
	return &pb.SubscriptionItem{Kind: &pb.SubscriptionItem_Item{Item: &pb.TopicItem{
		TopicSequenceNumber: it.SequenceNumber, SequencePage: it.SequencePage, Value: v}}}
}
