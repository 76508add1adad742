// Package ddblocal gets pipesim a real DynamoDB Local: an endpoint the user
// gives, a container started with testcontainers-go, or the official jar run
// with java. DynamoDB Local is always the real thing, never a fake.
package ddblocal
