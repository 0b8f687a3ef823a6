// Package lambda is the Go client for the Lambda compute platform API:
// instances, volumes, snapshots, networking, monitoring, serverless functions,
// billing, account and webhooks.
package lambda
