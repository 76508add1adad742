package sqsdlq

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/pipesim/pipesim/internal/config"
)

// Protocols an SQS endpoint may speak.
const (
	ProtocolJSON  = "json"  // AWS JSON 1.0: AWS since 2023, LocalStack, ElasticMQ 1.5+
	ProtocolQuery = "query" // the query protocol: goaws, older ElasticMQ
)

// Options say where the queues are.
type Options struct {
	Endpoint string // SQS endpoint URL
	Region   string
	Protocol string // ProtocolJSON (default) or ProtocolQuery
}

// Queues sends to SQS queues by name, creating each on first use as CreateQueue does
// (idempotent for an existing queue). It implements pipe.DeadLetters.
type Queues struct {
	client *sqs.Client
	mu     sync.Mutex
	urls   map[string]string
}

// New builds the SQS client. A loopback endpoint gets static dummy credentials; any other uses
// the default AWS credential chain.
func New(ctx context.Context, opts Options) (*Queues, error) {
	u, err := url.Parse(opts.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("SQS endpoint %q: want an http(s) URL", opts.Endpoint)
	}
	var apiOptions []func(*middleware.Stack) error
	switch opts.Protocol {
	case "", ProtocolJSON:
	case ProtocolQuery:
		apiOptions = append(apiOptions, addQueryProtocol)
	default:
		return nil, fmt.Errorf("SQS protocol %q: want json or query", opts.Protocol)
	}
	cfg, err := awsConfig(ctx, opts.Region, isLoopback(u.Hostname()))
	if err != nil {
		return nil, err
	}
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(opts.Endpoint)
		o.APIOptions = append(o.APIOptions, apiOptions...)
	})
	return &Queues{client: client, urls: map[string]string{}}, nil
}

func awsConfig(ctx context.Context, region string, local bool) (aws.Config, error) {
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region)}
	if local {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS configuration for SQS: %w", err)
	}
	return cfg, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}

// Send sends one dead-letter message.
func (q *Queues) Send(ctx context.Context, queue *config.Queue, body []byte) error {
	u, err := q.url(ctx, queue.Name)
	if err != nil {
		return err
	}
	_, err = q.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String(string(body))})
	if err != nil {
		return fmt.Errorf("send to SQS queue %s: %w", queue.Name, err)
	}
	return nil
}

// Message is one received message.
type Message struct {
	ID, ReceiptHandle, Body string
}

// Receive, Peek, Delete and Purge use an existing queue: one that does not exist is an error
// wrapping ErrNoQueue (only Send creates queues, as Pipes' dead-letter queue must exist).

// Receive takes up to max messages (at most 10, as SQS allows), waiting up to wait seconds; they
// are hidden from other readers for the queue's visibility timeout.
func (q *Queues) Receive(ctx context.Context, name string, max, wait int32) ([]Message, error) {
	return q.receive(ctx, name, max, wait, 0)
}

// receive receives messages; visibility 0 keeps the queue's own visibility timeout.
func (q *Queues) receive(ctx context.Context, name string, max, wait, visibility int32) ([]Message, error) {
	u, err := q.lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), MaxNumberOfMessages: max,
		WaitTimeSeconds: wait, VisibilityTimeout: visibility})
	if err != nil {
		return nil, fmt.Errorf("receive from SQS queue %s: %w", name, err)
	}
	msgs := make([]Message, 0, len(out.Messages))
	for _, m := range out.Messages {
		msgs = append(msgs, Message{ID: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body)})
	}
	return msgs, nil
}

// Peek returns up to max messages, hiding them from other readers for one second only (the
// SDK cannot send a VisibilityTimeout of 0: it omits zero values).
func (q *Queues) Peek(ctx context.Context, name string, max int32) ([]Message, error) {
	return q.receive(ctx, name, max, 0, 1)
}

// Delete removes a received message.
func (q *Queues) Delete(ctx context.Context, name, receiptHandle string) error {
	u, err := q.lookup(ctx, name)
	if err != nil {
		return err
	}
	if _, err := q.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(u), ReceiptHandle: aws.String(receiptHandle)}); err != nil {
		return fmt.Errorf("delete from SQS queue %s: %w", name, err)
	}
	return nil
}

// url resolves a queue name to its URL, creating the queue when it does not exist.
func (q *Queues) url(ctx context.Context, name string) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if u, ok := q.urls[name]; ok {
		return u, nil
	}
	out, err := q.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("create SQS queue %s: %w", name, err)
	}
	if out.QueueUrl == nil {
		return "", errors.New("create SQS queue " + name + ": no QueueUrl in the answer")
	}
	q.urls[name] = *out.QueueUrl
	return *out.QueueUrl, nil
}

// ErrNoQueue means the SQS queue does not exist.
var ErrNoQueue = errors.New("no such SQS queue")

// lookup resolves an existing queue's URL with GetQueueUrl, without creating the queue.
func (q *Queues) lookup(ctx context.Context, name string) (string, error) {
	q.mu.Lock()
	u, ok := q.urls[name]
	q.mu.Unlock()
	if ok {
		return u, nil
	}
	out, err := q.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	var missing *types.QueueDoesNotExist
	switch {
	case errors.As(err, &missing):
		return "", fmt.Errorf("%w: %s", ErrNoQueue, name)
	case err != nil:
		return "", fmt.Errorf("find SQS queue %s: %w", name, err)
	case out.QueueUrl == nil:
		return "", errors.New("find SQS queue " + name + ": no QueueUrl in the answer")
	}
	q.mu.Lock()
	q.urls[name] = *out.QueueUrl
	q.mu.Unlock()
	return *out.QueueUrl, nil
}

// Purge deletes every message of the queue (PurgeQueue: SQS takes up to 60 seconds, and allows
// one purge a minute per queue).
func (q *Queues) Purge(ctx context.Context, name string) error {
	u, err := q.lookup(ctx, name)
	if err != nil {
		return err
	}
	if _, err := q.client.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(u)}); err != nil {
		return fmt.Errorf("purge SQS queue %s: %w", name, err)
	}
	return nil
}
