// Package sqsdlq sends dead-letter messages to real SQS queues through aws-sdk-go-v2: AWS's SQS,
// or any SQS-compatible server. Servers that speak only SQS's older query protocol (goaws, older
// ElasticMQ) are reached through a small protocol adapter (query.go).
package sqsdlq
